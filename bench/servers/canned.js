/**
 * Bench child: a bare node:http target for `parley test`, so the harness alone is the limit. Every
 * bundled operation is answered with a valid answer the mock gave once (bench/lib/operation-answers.js):
 * its 2xx answer when the request carries the key, its 401 answer when not, its 405 answer for a
 * method the path does not document. No validation, no state: the checks still judge real answers.
 * Usage: node canned.js <answers.json> <api key>. Prints `listening on <url>`.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';

const { operations, unsupported } = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const apiKey = process.argv[3];
const notFound = { status: 404, contentType: 'application/json', body: '{"detail":"Not Found"}' };

/** Fixed paths before templated ones, so `/sessions/search` is not taken for `/sessions/{id}`. */
const routes = operations
  .map((operation) => ({
    ...operation,
    pattern: new RegExp(`^${operation.path.split('?')[0].replace(/\{[^}]+\}/g, '[^/]+')}$`),
    params: (operation.path.match(/\{/g) ?? []).length,
  }))
  .sort((a, b) => a.params - b.params);

function answerFor(request) {
  const at = request.url.indexOf('?');
  const path = at === -1 ? request.url : request.url.slice(0, at);
  const onPath = routes.filter((route) => route.pattern.test(path));
  if (onPath.length === 0) return notFound;
  const route = onPath.find((candidate) => candidate.method === request.method);
  if (!route) return unsupported ?? notFound;
  const keyed = request.rawHeaders.some((value) => value.includes(apiKey)) || request.url.includes(apiKey);
  return route.secured && !keyed ? (route.rejected ?? route.accepted) : route.accepted;
}

const server = http.createServer((request, response) => {
  const answer = answerFor(request);
  request.resume();
  request.once('end', () => {
    const headers = { 'Content-Length': Buffer.byteLength(answer.body) };
    if (answer.contentType) headers['Content-Type'] = answer.contentType;
    response.writeHead(answer.status, headers);
    response.end(answer.body);
  });
});

server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`listening on http://127.0.0.1:${server.address().port}\n`);
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
