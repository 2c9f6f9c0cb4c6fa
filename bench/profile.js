/**
 * `node bench/profile.js [workload] [seconds] [--bare | --against <dist>]`: the parley mock under
 * `node --cpu-prof`, loaded with one bench workload (default "Feather create-session"), then its CPU
 * time per request by function. With --bare, the bare node:http server instead (answering the mock's
 * captured answers), to see what an HTTP server costs before the mock does anything. With --against,
 * another build (a dist/ directory, e.g. another commit's built by `tsc` in a scratch checkout) is
 * profiled side by side with this one, the load alternating between them in rounds, and the two are
 * compared function by function (by name and file: line numbers differ between builds). Profiles
 * are left in bench/out/profile/ for Chrome DevTools or speedscope.
 */
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { selfTimes } from './lib/cpu-profile.js';
import { loadSideBySide, targetsFor } from './lib/load.js';
import { startServer, stopServer } from './lib/processes.js';
import { captureParleyAnswers } from './lib/targets.js';
import { WORKLOADS } from './lib/workloads.js';

const bare = process.argv.includes('--bare');
const against = argValue('--against');
const [wanted = 'Feather create-session', seconds = '15'] = process.argv
  .slice(2)
  .filter((arg, at, all) => !arg.startsWith('--') && all[at - 1] !== '--against');
const workload = WORKLOADS.find((w) => w.name.toLowerCase().includes(wanted.toLowerCase()));
if (!workload)
  throw new Error(`no workload matches "${wanted}"; try one of: ${WORKLOADS.map((w) => w.name).join(', ')}`);

const outDir = fileURLToPath(new URL('out/profile/', import.meta.url));
rmSync(outDir, { recursive: true, force: true });
const parleyServer = fileURLToPath(new URL('servers/parley.js', import.meta.url));
const targets = against
  ? [
      { key: 'other', label: against, args: [parleyServer], env: { PARLEY_DIST: path.resolve(against) } },
      { key: 'this', label: 'this build', args: [parleyServer] },
    ]
  : [
      bare
        ? {
            key: 'bare',
            label: 'bare node:http',
            args: [
              fileURLToPath(new URL('servers/bare.js', import.meta.url)),
              JSON.stringify(await captureParleyAnswers()),
            ],
          }
        : { key: 'this', label: 'parley mock', args: [parleyServer] },
    ];

const started = [];
let results;
try {
  for (const target of targets) {
    const dir = path.join(outDir, target.key);
    mkdirSync(dir, { recursive: true });
    const server = await startServer(process.execPath, ['--cpu-prof', '--cpu-prof-dir', dir, ...target.args], {
      env: target.env,
    });
    started.push({ ...target, dir, ...server });
  }
  const loaded = await targetsFor(started, workload);
  // No warm-up round: each profile covers start-up too, written when its server exits.
  results = await loadSideBySide(loaded, {
    connections: 64,
    durationSeconds: Number(seconds),
    warmupSeconds: 0,
    rounds: against ? 4 : 1,
  });
} finally {
  for (const server of started) await stopServer(server.child, 10_000);
}

/** Self µs per request by function, for one profiled server. */
const perRequest = started.map((server) => {
  const file = path.join(
    server.dir,
    readdirSync(server.dir).find((name) => name.endsWith('.cpuprofile')),
  );
  const { busyMicros, functions } = selfTimes(file);
  const result = results.get(server.key);
  console.log(
    `${workload.name}, ${server.label}: ${Math.round(result.requestsPerSecond)} req/s, p99 ${result.p99Ms.toFixed(2)} ms, ${(busyMicros / result.total).toFixed(1)} µs busy per request under the profiler (start-up included), ${result.cpuMicrosPerRequest.toFixed(1)} µs CPU per request (/proc)`,
  );
  console.log(`  profile: ${file}`);
  const byName = new Map();
  for (const { name, selfMicros } of functions) {
    const key = against ? name.replace(/:\d+$/, '') : name;
    byName.set(key, (byName.get(key) ?? 0) + selfMicros / result.total);
  }
  return byName;
});

if (!against) {
  console.log('self µs/request  function');
  for (const [name, micros] of [...perRequest[0]].slice(0, 30))
    console.log(`${micros.toFixed(2).padStart(15)}  ${name}`);
} else {
  const [other, current] = perRequest;
  const rows = [...new Set([...other.keys(), ...current.keys()])].map((name) => ({
    name,
    other: other.get(name) ?? 0,
    current: current.get(name) ?? 0,
  }));
  rows.sort((a, b) => Math.abs(b.current - b.other) - Math.abs(a.current - a.other));
  console.log('self µs/request: other  this  change  function (largest changes first)');
  for (const { name, other: before, current: after } of rows.slice(0, 40))
    console.log(
      `${before.toFixed(2).padStart(22)} ${after.toFixed(2).padStart(5)} ${`${after >= before ? '+' : ''}${(after - before).toFixed(2)}`.padStart(7)}  ${name}`,
    );
}

function argValue(name) {
  const at = process.argv.indexOf(name);
  return at === -1 ? undefined : process.argv[at + 1];
}
