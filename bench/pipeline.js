/**
 * `node bench/pipeline.js [workload] [requests]`: the mock's pipeline alone, in this process, with no
 * sockets: each bench workload's request served through `MockApp.serve` over an exchange that hands
 * the body over at once and renders the answer as the node adapter does. Prints CPU µs per request
 * (what the mock adds to an HTTP server's own cost). Run with `node --cpu-prof` to see where it goes.
 */
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { WORKLOADS } from './lib/workloads.js';

const root = fileURLToPath(new URL('..', import.meta.url));
// PARLEY_DIST: another build's dist/ (another commit's), as in bench/servers/parley.js.
const dist = path.join(process.env.PARLEY_DIST || path.join(root, 'dist'), 'src/mock');
const { createMockApp } = await import(pathToFileURL(path.join(dist, 'server.js')).href);
const { renderJson } = await import(pathToFileURL(path.join(dist, 'json-reply.js')).href);

const [wanted = '', count = '200000'] = process.argv.slice(2);
const requests = Number(count);
const specFiles = ['feather', 'julep', 'eliza'].map((name) => path.join(root, 'specs', `${name}.yaml`));

/** The node adapter's work minus the socket: the body is there, the answer is rendered and kept. */
class BenchExchange {
  sent = undefined;
  constructor(request, body) {
    this.method = request.method;
    this.target = request.target;
    this.headers = request.headers;
    this.body = body;
  }
  readBody() {
    return Promise.resolve(this.body);
  }
  discardBody() {}
  json(status, body, contentType, headers, cors) {
    this.sent ??= renderJson(status, body, contentType, headers, cors);
  }
  raw(status, head, payload) {
    this.sent ??= { status, head, payload };
  }
}

for (const workload of WORKLOADS.filter((w) => w.name.toLowerCase().includes(wanted.toLowerCase()))) {
  const app = await createMockApp({ specFiles, maxBodyBytes: 1024 * 1024 });
  const request = await workload.prepare('', (prepared) => serveOnce(app, prepared));
  const body = request.body ? { kind: 'ok', text: request.body } : { kind: 'empty' };
  const message = {
    method: request.method,
    target: request.path,
    // As node:http gives them, plus what autocannon sends.
    headers: { host: '127.0.0.1:4010', connection: 'keep-alive', 'content-length': String(Buffer.byteLength(request.body ?? '')), ...request.headers },
  };
  const run = async (n) => {
    for (let i = 0; i < n; i++) {
      const exchange = new BenchExchange(message, body);
      await app.serve(exchange);
      if (exchange.sent.status >= 300) throw new Error(`${workload.name} answered ${exchange.sent.status}: ${exchange.sent.payload}`);
    }
  };
  await run(Math.min(20_000, requests));
  const before = process.cpuUsage();
  await run(requests);
  const used = process.cpuUsage(before);
  console.log(`${workload.name}: ${((used.user + used.system) / requests).toFixed(2)} µs CPU per request (${requests} requests)`);
}

async function serveOnce(app, request) {
  const exchange = new BenchExchange(
    { method: request.method, target: request.path, headers: request.headers },
    request.body ? { kind: 'ok', text: request.body } : { kind: 'empty' },
  );
  await app.serve(exchange);
  if (exchange.sent.status >= 300) throw new Error(`${request.path} answered ${exchange.sent.status}`);
  return JSON.parse(String(exchange.sent.payload));
}
