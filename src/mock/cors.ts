/**
 * CORS, on by default as in Prism: a frontend on another origin can call the mock straight from the browser.
 * The headers are returned, not set on the response: `setHeader` makes Node build and check every header
 * twice, a visible share of a request's cost, while `writeHead` with one object does it once.
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';

export type HeaderFields = Readonly<Record<string, string | number>>;

/** The common case (no Origin header: curl, server-side callers, load tests) shares one frozen object. */
const ANY_ORIGIN: HeaderFields = Object.freeze({ 'Access-Control-Allow-Origin': '*', 'Access-Control-Expose-Headers': '*' });

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

/** Answers a CORS preflight itself and returns true when the request is one. */
export function answerPreflight(request: IncomingMessage, response: ServerResponse, cors: HeaderFields): boolean {
  const preflightMethod = request.headers['access-control-request-method'];
  if (request.method !== 'OPTIONS' || !preflightMethod) return false;
  response.writeHead(204, {
    ...cors,
    'Access-Control-Allow-Methods': 'GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS',
    'Access-Control-Allow-Headers': request.headers['access-control-request-headers'] ?? '*',
    'Access-Control-Max-Age': '86400',
    'Content-Length': 0,
  });
  response.end();
  request.resume();
  return true;
}
