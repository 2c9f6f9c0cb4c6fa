/**
 * `node bench/state-file.js` (also part of `npm run bench`): the cost of `--state-file` at scale.
 * Fills the mock with N Feather sessions at 64 connections, once without and once with a state file
 * (default save interval), each server in its own child process, then sends creates at a steady rate
 * for a while, then measures idle CPU, the stop (SIGTERM) and, with the file, the restart until the
 * first 2xx answer. The mock announces each save (src/mock/state-save-events.ts): the answers whose
 * request was in flight while one ran are the ones issue #15's latency target is about.
 *
 * PARLEY_BENCH_STATE_SESSIONS sets N (default 1,000,000; `--quick` 200,000), PARLEY_BENCH_IDLE_SECONDS
 * the idle time after the fill (default 20). PARLEY_BENCH_STALLS=1 also notes the servers' event-loop
 * stalls with what their main thread did meanwhile (bench/lib/stalls.js): on a shared machine, whether
 * a long answer was the mock's work or a wait for a core. PARLEY_BENCH_SERVER_NODE_ARGS: node options for
 * the servers (space-separated), e.g. `--no-parallel-scavenge` (see bench/RESULTS.md, issue #15). Prints a table and the verdicts against issue #15's
 * targets (and writes bench/out/state-file.json); `measureStateFile()` is what bench/run.js calls.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { peakRssBytes, rssBytes, startServer } from './lib/processes.js';
import { formatNumber, mib, table, verdict } from './lib/report.js';
import { maxDuring, readSaves } from './lib/saves.js';
import { summariseStalls } from './lib/stalls.js';

const server = fileURLToPath(new URL('servers/parley.js', import.meta.url));
const serverArgs = [...(process.env.PARLEY_BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean), server];
const ADMIN_TOKEN = 'bench-admin';
const CONNECTIONS = 64;
const REQUEST = {
  method: 'POST',
  path: '/v1/ask-feather/sessions',
  headers: { 'content-type': 'application/json', 'x-api-key': 'bench-key' },
  body: JSON.stringify({ title: 'Benchmark session' }),
};
const log = (line = '') => process.stderr.write(`${line}\n`);
/**
 * The mock's default save interval: no save starts before it. Issue #15's latency target is for
 * answers while saves run, so the cold start (a burst of 64 requests on code not yet optimised) is
 * reported beside it, not judged by it.
 */
const FIRST_SAVE_MS = 5_000;
/**
 * After the fill, creates at a rate the machine keeps up with, long enough for two saves of what
 * arrives: whether a save holds answers back, apart from the queueing of a saturated fill (where
 * autocannon, the mock and V8's helper threads want more than the two cores).
 */
const STEADY = { rate: 5_000, seconds: 12, connections: 16 };

export async function measureStateFile({ sessions, idleSeconds, stalls = false }) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'parley-bench-state-'));
  const file = path.join(dir, 'state.jsonl');
  const stallsFile = (name) => (stalls ? path.join(dir, `stalls-${name}.json`) : undefined);
  try {
    const without = await fillRun({ sessions, idleSeconds, stallsFile: stallsFile('without') });
    const withFile = await fillRun({
      sessions,
      idleSeconds,
      stateFile: file,
      stallsFile: stallsFile('with'),
      savesFile: path.join(dir, 'saves.jsonl'),
    });
    withFile.fileBytes = statSync(file).size;
    withFile.restart = await restart(file, sessions);
    // The same start with nothing to load: what of the restart the state file accounts for.
    without.start = await restart(undefined, sessions);
    return { sessions, connections: CONNECTIONS, idleSeconds, without, with: withFile };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function env(stateFile, sessions) {
  return {
    PARLEY_MAX_RECORDS: String(Math.max(sessions, 1_000_000)),
    PARLEY_ADMIN_TOKEN: ADMIN_TOKEN,
    ...(stateFile ? { PARLEY_STATE_FILE: stateFile } : {}),
  };
}

async function fillRun({ sessions, idleSeconds, stateFile, stallsFile, savesFile }) {
  const label = stateFile ? 'with --state-file' : 'without';
  log(`state file: filling ${formatNumber(sessions)} sessions ${label}`);
  const { child, url } = await startServer(process.execPath, serverArgs, {
    env: {
      ...env(stateFile, sessions),
      ...(stallsFile ? { PARLEY_BENCH_STALLS_FILE: stallsFile } : {}),
      ...(savesFile ? { PARLEY_BENCH_SAVES_FILE: savesFile } : {}),
    },
  });
  const cpuBefore = cpuSeconds(child.pid);
  const fill = await sendLoad(url, { connections: CONNECTIONS, amount: sessions });
  const fillCpu = cpuSeconds(child.pid) - cpuBefore;
  const endRss = rssBytes(child.pid);
  log(`  then ${STEADY.seconds} s at a steady ${formatNumber(STEADY.rate)} req/s`);
  const steady = await sendLoad(url, {
    connections: STEADY.connections,
    duration: STEADY.seconds,
    overallRate: STEADY.rate,
  });
  const idleCpuBefore = cpuSeconds(child.pid);
  let idlePeakRss = rssBytes(child.pid);
  for (let waited = 0; waited < idleSeconds * 10; waited++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    idlePeakRss = Math.max(idlePeakRss, rssBytes(child.pid));
  }
  const idleCpu = cpuSeconds(child.pid) - idleCpuBefore;
  const peakRss = peakRssBytes(child.pid);
  const recordsAtStop = (await health(url)).records;
  const stopped = performance.now();
  const code = await new Promise((resolve) => {
    child.once('exit', (exitCode) => resolve(exitCode));
    child.kill('SIGTERM');
  });
  const saves = savesFile ? readSaves(savesFile) : [];
  const run = {
    label,
    answered: fill.answered,
    failed: fill.failed + steady.failed,
    fillRate: fill.answered / fill.seconds,
    cpuMicrosPerRequest: (fillCpu / fill.answered) * 1e6,
    p99Ms: fill.p99Ms,
    maxMs: fill.maxMs,
    maxOnceSavingMs: fill.maxFrom(FIRST_SAVE_MS),
    saves: { count: saves.length, longestMs: Math.max(0, ...saves.map((save) => save.endMs - save.startMs)) },
    fillDuringSaves: fill.during(saves),
    steady: {
      rate: steady.answered / steady.seconds,
      p99Ms: steady.p99Ms,
      maxMs: steady.maxMs,
      duringSaves: steady.during(saves),
    },
    endRssBytes: endRss,
    peakRssBytes: peakRss,
    idleCpuSeconds: idleCpu,
    idlePeakRssBytes: idlePeakRss,
    recordsAtStop,
    stopSeconds: (performance.now() - stopped) / 1000,
    stopExitCode: code,
    // Stalls from when saves may start to the end of the fill, as for maxOnceSavingMs.
    stalls: stallsFile
      ? summariseStalls(stallsFile, fill.startedEpochMs + FIRST_SAVE_MS, fill.startedEpochMs + fill.seconds * 1000)
      : undefined,
  };
  log(
    `  ${formatNumber(run.fillRate)} req/s, max ${formatNumber(run.maxMs)} ms (from 5 s on ${formatNumber(run.maxOnceSavingMs)} ms, during saves ${formatNumber(run.fillDuringSaves.maxMs)} ms), peak RSS ${formatNumber(mib(run.peakRssBytes))} MiB, stop ${formatNumber(run.stopSeconds, 2)} s`,
  );
  log(
    `  steady: ${formatNumber(run.steady.rate)} req/s, max ${formatNumber(run.steady.maxMs)} ms, during saves ${formatNumber(run.steady.duringSaves.maxMs)} ms (${formatNumber(run.steady.duringSaves.requests)} requests); ${run.saves.count} saves, longest ${formatNumber(run.saves.longestMs)} ms`,
  );
  if (run.stalls) log(`  event-loop stalls from 5 s on: ${formatStalls(run.stalls)}`);
  return run;
}

/**
 * Sends Feather creates with autocannon (`amount` of them, or for `duration` seconds at `overallRate`)
 * and keeps every answer's latency and when its request went out and came back (epoch ms, the clock
 * the mock's save events use).
 */
async function sendLoad(url, options) {
  const capacity = (options.amount ?? options.duration * options.overallRate * 1.1) + CONNECTIONS * 2;
  const latencies = new Float64Array(capacity);
  const sentMs = new Float64Array(capacity);
  const doneMs = new Float64Array(capacity);
  let answered = 0;
  const startedEpochMs = performance.timeOrigin + performance.now();
  const result = await new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: url + REQUEST.path,
        method: REQUEST.method,
        headers: REQUEST.headers,
        body: REQUEST.body,
        timeout: 30,
        ...options,
      },
      (error, done) => (error ? reject(error) : resolve(done)),
    );
    instance.on('response', (_client, _status, _bytes, ms) => {
      if (answered >= capacity) return;
      const done = performance.timeOrigin + performance.now();
      latencies[answered] = ms;
      sentMs[answered] = done - ms;
      doneMs[answered++] = done;
    });
  });
  const seconds = (performance.timeOrigin + performance.now() - startedEpochMs) / 1000;
  // Sorted as a copy: `latencies` stays in step with `sentMs` for maxFrom.
  const sorted = latencies.slice(0, answered).sort();
  return {
    answered,
    failed: result.non2xx + result.errors + result.timeouts,
    seconds,
    startedEpochMs,
    p99Ms: sorted[Math.floor(0.99 * (answered - 1))],
    maxMs: sorted[answered - 1],
    /** The longest answer to a request sent `fromMs` or later after the start. */
    maxFrom(fromMs) {
      let max = 0;
      for (let i = 0; i < answered; i++) if (sentMs[i] - startedEpochMs >= fromMs) max = Math.max(max, latencies[i]);
      return max;
    },
    during: (saves) => maxDuring(saves, sentMs, doneMs, answered),
  };
}

/** The mock's health answer (its record count among it); rejects unless 2xx. */
async function health(url) {
  const response = await fetch(`${url}/__parley/health`, { headers: { 'x-parley-admin-token': ADMIN_TOKEN } });
  if (!response.ok) throw new Error(`health answered ${response.status}`);
  return response.json();
}

/** Spawn to the first 2xx answer, then how many records came back. */
async function restart(file, sessions) {
  log(file ? 'state file: restarting on the saved file' : 'state file: a start without it, for comparison');
  const started = performance.now();
  const { child, url } = await startServer(process.execPath, serverArgs, {
    env: env(file, sessions),
    timeoutMs: 120_000,
  });
  try {
    let answer;
    do answer = await health(url).catch(() => undefined);
    while (!answer);
    const firstOkSeconds = (performance.now() - started) / 1000;
    const { records } = answer;
    log(`  first 2xx after ${formatNumber(firstOkSeconds, 2)} s, ${formatNumber(records)} records`);
    return { firstOkSeconds, records, peakRssBytes: peakRssBytes(child.pid) };
  } finally {
    await new Promise((resolve) => {
      child.once('exit', resolve);
      child.kill('SIGTERM');
    });
  }
}

const duringText = ({ maxMs, requests }) =>
  requests > 0 ? `${formatNumber(maxMs)} ms (${formatNumber(requests)})` : 'none in flight';
const steadyText = ({ rate, p99Ms, maxMs }) =>
  `${formatNumber(rate)} req/s, ${formatNumber(p99Ms)} ms / ${formatNumber(maxMs)} ms`;

function formatStalls({ longest, maxCpuMs, maxBlockedMs }) {
  const ms = (value) => `${formatNumber(value)} ms`;
  return `${ms(longest.wallMs)} (${ms(longest.cpuMs)} / ${ms(longest.waitMs)}); ${ms(maxCpuMs)}; ${ms(maxBlockedMs)}`;
}

/** utime + stime of a process from /proc/<pid>/stat (fields 14 and 15, in clock ticks of 1/100 s), in seconds. */
function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

export function renderStateFile(result) {
  const { without: a, with: b } = result;
  const ratio = b.fillRate / a.fillRate;
  const rows = [
    [
      'fill rate',
      `${formatNumber(a.fillRate)} req/s`,
      `${formatNumber(b.fillRate)} req/s (${formatNumber(ratio * 100)}%)`,
      `≥ 80% of without: ${verdict(ratio >= 0.8)}`,
    ],
    ['CPU per request', `${formatNumber(a.cpuMicrosPerRequest)} µs`, `${formatNumber(b.cpuMicrosPerRequest)} µs`, ''],
    [
      'p99 / max latency (whole fill, cold start included)',
      `${formatNumber(a.p99Ms)} ms / ${formatNumber(a.maxMs)} ms`,
      `${formatNumber(b.p99Ms)} ms / ${formatNumber(b.maxMs)} ms`,
      '',
    ],
    [
      `max latency of requests sent from ${FIRST_SAVE_MS / 1000} s on`,
      `${formatNumber(a.maxOnceSavingMs)} ms`,
      `${formatNumber(b.maxOnceSavingMs)} ms`,
      '',
    ],
    [
      'fill: max latency of requests in flight during a save (their count)',
      'no saves',
      duringText(b.fillDuringSaves),
      'saturated: every core busy',
    ],
    [
      `then ${STEADY.seconds} s at ${formatNumber(STEADY.rate)} req/s (${STEADY.connections} connections): rate, p99 / max`,
      steadyText(a.steady),
      steadyText(b.steady),
      '',
    ],
    [
      'steady: max latency of requests in flight during a save (their count)',
      'no saves',
      duringText(b.steady.duringSaves),
      `max during saves < 50 ms: ${b.steady.duringSaves.requests > 0 ? verdict(b.steady.duringSaves.maxMs < 50) : 'not measured (no save ran)'}`,
    ],
    [
      'saves (appends and snapshots) ended, the longest',
      '',
      `${formatNumber(b.saves.count)}, ${formatNumber(b.saves.longestMs)} ms`,
      '',
    ],
    [
      'RSS at the end / peak',
      `${formatNumber(mib(a.endRssBytes))} MiB / ${formatNumber(mib(a.peakRssBytes))} MiB`,
      `${formatNumber(mib(b.endRssBytes))} MiB / ${formatNumber(mib(b.peakRssBytes))} MiB`,
      `peak ≤ 1.5× without: ${verdict(b.peakRssBytes <= 1.5 * a.peakRssBytes)}`,
    ],
    [
      `idle ${result.idleSeconds} s after the fill: CPU, RSS peak`,
      `${formatNumber(a.idleCpuSeconds, 2)} s, ${formatNumber(mib(a.idlePeakRssBytes))} MiB`,
      `${formatNumber(b.idleCpuSeconds, 2)} s, ${formatNumber(mib(b.idlePeakRssBytes))} MiB`,
      '',
    ],
    [
      'stop (SIGTERM to exit)',
      `${formatNumber(a.stopSeconds, 2)} s (exit ${a.stopExitCode})`,
      `${formatNumber(b.stopSeconds, 2)} s (exit ${b.stopExitCode})`,
      `< 1 s: ${verdict(b.stopSeconds < 1)}`,
    ],
    [
      'restart to first 2xx',
      `${formatNumber(a.start.firstOkSeconds, 2)} s (a start with nothing to load)`,
      `${formatNumber(b.restart.firstOkSeconds, 2)} s (file ${formatNumber(mib(b.fileBytes))} MiB, ${formatNumber(b.restart.records)} of ${formatNumber(b.recordsAtStop)} records back, peak RSS ${formatNumber(mib(b.restart.peakRssBytes))} MiB)`,
      `< 3 s: ${verdict(b.restart.firstOkSeconds < 3)}`,
    ],
    ['failed answers', String(a.failed), String(b.failed), ''],
  ];
  if (a.stalls && b.stalls)
    rows.splice(4, 0, [
      'longest event-loop stall from 5 s on (on CPU / waiting for a core); most CPU in one stall; longest blocked',
      formatStalls(a.stalls),
      formatStalls(b.stalls),
      '',
    ]);
  return [
    `### State file: ${formatNumber(result.sessions)} Feather sessions at ${result.connections} connections`,
    '',
    table(['', 'without', 'with --state-file', 'target'], rows),
    '',
  ];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const quick = process.argv.includes('--quick');
  const sessions = Number(process.env.PARLEY_BENCH_STATE_SESSIONS ?? (quick ? 200_000 : 1_000_000));
  const idleSeconds = Number(process.env.PARLEY_BENCH_IDLE_SECONDS ?? (quick ? 5 : 20));
  const result = await measureStateFile({ sessions, idleSeconds, stalls: process.env.PARLEY_BENCH_STALLS === '1' });
  const outDir = fileURLToPath(new URL('out/', import.meta.url));
  mkdirSync(outDir, { recursive: true });
  writeFileSync(
    path.join(outDir, 'state-file.json'),
    JSON.stringify({ date: new Date().toISOString(), ...result }, null, 2),
  );
  process.stdout.write(`${renderStateFile(result).join('\n')}\n`);
}
