/**
 * `node bench/profile.js [workload] [seconds] [--bare]`: the parley mock under `node --cpu-prof`,
 * loaded with one bench workload (default "Feather create-session"), then its CPU time per request by
 * function. With --bare, the bare node:http server instead (answering the mock's captured answers),
 * to see what an HTTP server costs before the mock does anything. The profile is left in
 * bench/out/profile/ for Chrome DevTools or speedscope.
 */
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { selfTimes } from './lib/cpu-profile.js';
import { loadSideBySide } from './lib/load.js';
import { startServer, stopServer } from './lib/processes.js';
import { captureParleyAnswers } from './lib/targets.js';
import { WORKLOADS } from './lib/workloads.js';

const bare = process.argv.includes('--bare');
const [wanted = 'Feather create-session', seconds = '15'] = process.argv
  .slice(2)
  .filter((arg) => !arg.startsWith('--'));
const workload = WORKLOADS.find((w) => w.name.toLowerCase().includes(wanted.toLowerCase()));
if (!workload)
  throw new Error(`no workload matches "${wanted}"; try one of: ${WORKLOADS.map((w) => w.name).join(', ')}`);

const outDir = fileURLToPath(new URL('out/profile/', import.meta.url));
rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });

const server = await startServer(process.execPath, [
  '--cpu-prof',
  '--cpu-prof-dir',
  outDir,
  ...(bare
    ? [fileURLToPath(new URL('servers/bare.js', import.meta.url)), JSON.stringify(await captureParleyAnswers())]
    : [fileURLToPath(new URL('servers/parley.js', import.meta.url))]),
]);
let result;
try {
  const request = await workload.prepare(server.url);
  result = (
    await loadSideBySide([{ key: 'parley', url: server.url, request }], {
      connections: 64,
      durationSeconds: Number(seconds),
      warmupSeconds: 0,
      rounds: 1,
    })
  ).get('parley');
} finally {
  // The profile is written when the server exits; it covers start-up too, hence no warm-up round.
  await stopServer(server.child, 10_000);
}

const file = path.join(
  outDir,
  readdirSync(outDir).find((name) => name.endsWith('.cpuprofile')),
);
const { busyMicros, functions } = selfTimes(file);
const requests = result.total;
console.log(
  `${workload.name}, ${bare ? 'bare node:http' : 'parley mock'}: ${Math.round(result.requestsPerSecond)} req/s, p99 ${result.p99Ms.toFixed(2)} ms, ${(busyMicros / requests).toFixed(1)} µs busy per request (start-up included)`,
);
console.log('self µs/request  function');
for (const { name, selfMicros } of functions.slice(0, 30))
  console.log(`${(selfMicros / requests).toFixed(2).padStart(15)}  ${name}`);
console.log(`profile: ${file}`);
