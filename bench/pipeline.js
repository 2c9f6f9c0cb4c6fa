/**
 * `node bench/pipeline.js [workload] [requests] [--profile]`: the mock's pipeline alone, in this
 * process, with no sockets: each bench workload's request served through `MockApp.serve` over an
 * exchange that hands the body over at once and renders the answer as the node adapter does. Prints
 * CPU µs per request: what the mock does beyond an HTTP server's own work. With --profile, a second
 * run under the V8 profiler splits that time by piece of work (validation, state, log...).
 * PARLEY_DIST measures another build (another commit's dist/); PARLEY_MAX_RECORDS caps the store.
 */
import path from 'node:path';
import { Session } from 'node:inspector/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { piecesOf } from './lib/cpu-profile.js';
import { WORKLOADS } from './lib/workloads.js';

const root = fileURLToPath(new URL('..', import.meta.url));
// PARLEY_DIST: another build's dist/ (another commit's), as in bench/servers/parley.js.
const dist = path.join(process.env.PARLEY_DIST || path.join(root, 'dist'), 'src/mock');
const { createMockApp } = await import(pathToFileURL(path.join(dist, 'server.js')).href);
const { renderJson } = await import(pathToFileURL(path.join(dist, 'json-reply.js')).href);

const BENCH_LOOP = 'bench loop';

/** The piece of work a file of the build does for a request; undefined for helpers shared by several pieces. */
const PIECES = [
  [
    /^src\/mock\/(request-validation|field-issues|schema-error)\.js$|^src\/openapi\/validator\.js$/,
    'request validation (ajv, parameters)',
  ],
  [/^src\/mock\/(body-decoders|json-body)\.js$/, 'request body: JSON parse and checks'],
  [/^src\/mock\/store\.js$/, 'state write (store, byte accounting)'],
  [/^src\/mock\/(ids|clock)\.js$/, 'ids and timestamps'],
  [
    /^src\/apis\/|^src\/openapi\/defaults\.js$|^src\/mock\/generic-behaviour\.js$/,
    'behaviour (the record and answer built)',
  ],
  [/^src\/mock\/(json-reply|documented-headers|cors|api-error)\.js$/, 'response: headers and JSON serialisation'],
  [/^src\/mock\/(request-log|detail-arena)\.js$/, 'request log (entry, headers and bodies copied)'],
  [
    /^src\/openapi\/router\.js$|^src\/mock\/(request-target|credentials|session|operation-plan)\.js$/,
    'routing, credentials, session',
  ],
  [/^src\/mock\/app\.js$/, 'pipeline glue (app.ts)'],
];

function pieceOfFile(file) {
  if (file.startsWith('bench/')) return BENCH_LOOP;
  return PIECES.find(([pattern]) => pattern.test(file))?.[1];
}

const profiling = process.argv.includes('--profile');
const [wanted = '', count = '200000'] = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
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
  const maxRecords = process.env.PARLEY_MAX_RECORDS ? Number(process.env.PARLEY_MAX_RECORDS) : undefined;
  const app = await createMockApp({ specFiles, maxBodyBytes: 1024 * 1024, maxRecords });
  const request = await workload.prepare('', (prepared) => serveOnce(app, prepared));
  const body = request.body ? { kind: 'ok', text: request.body } : { kind: 'empty' };
  const message = {
    method: request.method,
    target: request.path,
    // As node:http gives them, plus what autocannon sends.
    headers: {
      host: '127.0.0.1:4010',
      connection: 'keep-alive',
      'content-length': String(Buffer.byteLength(request.body ?? '')),
      ...request.headers,
    },
  };
  const run = async (n) => {
    for (let i = 0; i < n; i++) {
      const exchange = new BenchExchange(message, body);
      await app.serve(exchange);
      if (exchange.sent.status >= 300)
        throw new Error(`${workload.name} answered ${exchange.sent.status}: ${exchange.sent.payload}`);
    }
  };
  await run(Math.min(20_000, requests));
  const before = process.cpuUsage();
  await run(requests);
  const used = process.cpuUsage(before);
  const micros = (used.user + used.system) / requests;
  console.log(`${workload.name}: ${micros.toFixed(2)} µs CPU per request (${requests} requests)`);
  if (profiling) await printPieces(() => run(requests), micros);
}

/**
 * Runs `work` under the V8 profiler and prints its time by piece, as shares of the profiled run
 * scaled to `micros` (the profiler's own cost is left out that way).
 */
async function printPieces(work, micros) {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  await session.post('Profiler.start');
  await work();
  const { profile } = await session.post('Profiler.stop');
  session.disconnect();
  const { busyMicros, pieces } = piecesOf(profile, pieceOfFile);
  const harness = pieces.get(BENCH_LOOP) ?? 0;
  pieces.delete(BENCH_LOOP);
  const rows = [...pieces].sort((a, b) => b[1] - a[1]);
  for (const [piece, spent] of rows) {
    const share = spent / busyMicros;
    console.log(`  ${(share * micros).toFixed(2).padStart(6)} µs  ${(share * 100).toFixed(1).padStart(5)}%  ${piece}`);
  }
  console.log(`  (the bench's own loop: ${((harness / busyMicros) * 100).toFixed(1)}%, included above in no piece)`);
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
