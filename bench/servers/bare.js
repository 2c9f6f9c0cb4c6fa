/**
 * Bench child: the ceiling on this machine. A bare node:http server that reads each request body
 * and answers with a fixed JSON body per path (taken from the mock's own answers, so sizes match).
 * Usage: node bare.js '<json {"/path": {"status": 201, "body": "..."}}>'. Prints `listening on <url>`.
 */
import http from 'node:http';

const answers = JSON.parse(process.argv[2] ?? '{}');
const fallback = { status: 200, body: '{}' };

const server = http.createServer((request, response) => {
  const answer = answers[request.url] ?? fallback;
  request.resume();
  request.once('end', () => {
    response.writeHead(answer.status, {
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(answer.body),
    });
    response.end(answer.body);
  });
});

server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`listening on http://127.0.0.1:${server.address().port}\n`);
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
