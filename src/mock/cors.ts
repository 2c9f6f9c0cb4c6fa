/** CORS, on by default as in Prism: a frontend on another origin can call the mock straight from the browser. */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Adds CORS headers; answers a preflight itself and returns true when it did. */
export function applyCors(request: IncomingMessage, response: ServerResponse): boolean {
  const origin = request.headers.origin;
  response.setHeader('Access-Control-Allow-Origin', origin ?? '*');
  if (origin) {
    response.setHeader('Access-Control-Allow-Credentials', 'true');
    response.setHeader('Vary', 'Origin');
  }
  response.setHeader('Access-Control-Expose-Headers', '*');
  const preflightMethod = request.headers['access-control-request-method'];
  if (request.method !== 'OPTIONS' || !preflightMethod) return false;
  response.writeHead(204, {
    'Access-Control-Allow-Methods': 'GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS',
    'Access-Control-Allow-Headers': request.headers['access-control-request-headers'] ?? '*',
    'Access-Control-Max-Age': '86400',
    'Content-Length': 0,
  });
  response.end();
  request.resume();
  return true;
}
