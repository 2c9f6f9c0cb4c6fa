/**
 * CORS, on by default as in Prism: a frontend on another origin can call the mock straight from the browser.
 * The headers are returned, not set on the response: `setHeader` makes Node build and check every header
 * twice, a visible share of a request's cost, while `writeHead` with one object does it once.
 */
import type { IncomingHttpHeaders } from 'node:http';

export type HeaderFields = Readonly<Record<string, string | number>>;

/** The common case (no Origin header: curl, server-side callers, load tests) shares one frozen object. */
const ANY_ORIGIN: HeaderFields = Object.freeze({
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Expose-Headers': '*',
});

/** The CORS headers every answer to this request carries. */
export function corsHeaders(headers: IncomingHttpHeaders): HeaderFields {
  const origin = headers.origin;
  if (!origin) return ANY_ORIGIN;
  return {
    'Access-Control-Allow-Origin': origin,
    'Access-Control-Allow-Credentials': 'true',
    Vary: 'Origin',
    'Access-Control-Expose-Headers': '*',
  };
}

/** The headers of the answer to a CORS preflight, or undefined when the request is not one. */
export function preflightHeaders(
  method: string,
  headers: IncomingHttpHeaders,
  cors: HeaderFields,
): HeaderFields | undefined {
  if (method !== 'OPTIONS' || !headers['access-control-request-method']) return undefined;
  return {
    ...cors,
    'Access-Control-Allow-Methods': 'GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS',
    'Access-Control-Allow-Headers': headers['access-control-request-headers'] ?? '*',
    'Access-Control-Max-Age': '86400',
    'Content-Length': 0,
  };
}
