/**
 * Times `parley test`, the harness in its own process: the default full run over every bundled
 * operation against the mock (wall time from spawn to exit, twice: the second run finds whatever
 * the first cached), then a longer run against the mock and one against a bare canned server
 * (bench/servers/canned.js), where the harness alone is the limit. For the longer runs the specs are
 * loaded before the clock starts (bench/lib/harness-child.js): requests per second and the harness's
 * CPU per request are the per-request path's figures, not spec loading's.
 * "Requests" are the requests the harness sent and judged; each carries several checks.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { captureOperationAnswers } from './operation-answers.js';
import { formatNumber, table, verdict } from './report.js';
import { startServer, stopServer } from './processes.js';
import { TARGETS } from './targets.js';

// PARLEY_HARNESS_DIST: the harness of another build (its dist/ directory, with bin/ beside it), against the same servers.
const harnessDist = process.env.PARLEY_HARNESS_DIST;
const cli = harnessDist
  ? path.join(harnessDist, '../bin/parley.js')
  : fileURLToPath(new URL('../../bin/parley.js', import.meta.url));
const child = fileURLToPath(new URL('harness-child.js', import.meta.url));
const canned = fileURLToPath(new URL('../servers/canned.js', import.meta.url));
const API_KEY = 'bench-key';
/** The canned server keeps no state and validates nothing: no stateful phase, no check that needs a validating server. */
const AGAINST_CANNED = {
  phases: ['examples', 'coverage', 'fuzz'],
  skip: ['invalid_request_rejected', 'valid_request_accepted'],
};

export async function measureHarness(quick) {
  if (!(await harnessAvailable())) return { available: false, reason: '`parley test` is not available in this build' };
  const runs = quick ? 150 : 400;
  const fullRuns = [];
  const steady = [];
  const mock = await TARGETS.parley.start(undefined, undefined, { PARLEY_API_KEYS: API_KEY });
  try {
    for (const label of ['first', 'second']) fullRuns.push({ label, ...(await timeFullRun(mock.url)) });
    steady.push({
      label: `--runs ${runs}, all phases`,
      against: 'parley mock',
      ...(await steadyRun(mock.url, { runs })),
    });
  } finally {
    await stopServer(mock.child);
  }
  const answers = await captureOperationAnswers(API_KEY);
  const bare = await startServer(process.execPath, [canned, answers, API_KEY]);
  try {
    const label = `--runs ${runs}, ${AGAINST_CANNED.phases.join(',')}, --skip ${AGAINST_CANNED.skip.join(',')}`;
    steady.push({ label, against: 'bare canned server', ...(await steadyRun(bare.url, { runs, ...AGAINST_CANNED })) });
    // The same run again in one process: the per-request path without the process's warm-up (V8 compiling the hot code).
    steady.push({
      label: `${label}, second run in one process`,
      against: 'bare canned server',
      warm: true,
      ...(await steadyRun(bare.url, { runs, ...AGAINST_CANNED, repeat: 2 })),
    });
    // A five times longer cold run: how far the warm-up is spread as a CI gate's runs get longer.
    const longerRuns = runs * 5;
    steady.push({
      label: label.replace(`--runs ${runs}`, `--runs ${longerRuns}`),
      against: 'bare canned server',
      longer: true,
      ...(await steadyRun(bare.url, { runs: longerRuns, ...AGAINST_CANNED })),
    });
  } finally {
    await stopServer(bare.child);
  }
  return { available: true, fullRuns, steady };
}

/**
 * The harness of another build (its dist/) and this build's, side by side against one bare canned
 * server: `rounds` alternating processes each, so both see the same machine load; each process runs
 * the suite twice (`first`: cold, then warm). Resolves with every process's figures, in order.
 */
export async function compareHarness(otherDist, { rounds = 3, runs = 400 } = {}) {
  const answers = await captureOperationAnswers(API_KEY);
  const bare = await startServer(process.execPath, [canned, answers, API_KEY]);
  const byBuild = { other: [], current: [] };
  try {
    for (let round = 0; round < rounds; round++) {
      byBuild.other.push(await steadyRun(bare.url, { runs, ...AGAINST_CANNED, repeat: 2 }, otherDist));
      byBuild.current.push(await steadyRun(bare.url, { runs, ...AGAINST_CANNED, repeat: 2 }, undefined));
    }
  } finally {
    await stopServer(bare.child);
  }
  return byBuild;
}

async function harnessAvailable() {
  const { code } = await execute(['test', '--help']);
  return code === 0;
}

/** The default run, as a CI gate starts it: spawn to exit. */
async function timeFullRun(url) {
  const reportFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'parley-bench-')), 'report.json');
  const started = performance.now();
  const { code, output } = await execute(['test', '--target', url, '--api-key', API_KEY, '--json', reportFile]);
  const wallSeconds = (performance.now() - started) / 1000;
  if (code !== 0 && code !== 1) throw new Error(`parley test exited with ${code}:\n${output.slice(-2000)}`);
  const report = JSON.parse(readFileSync(reportFile, 'utf8'));
  return { requests: report.requests, wallSeconds, runSeconds: report.durationMs / 1000, exitCode: code };
}

/** A longer run in harness-child.js (the harness of `dist`, default this build's): its requests per second and CPU per request. */
function steadyRun(url, options, dist = harnessDist) {
  const settings = JSON.stringify({ target: url, apiKey: API_KEY, seed: 1, ...options });
  const env = { ...process.env, PARLEY_HARNESS_DIST: dist ?? '' };
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [child, settings], { maxBuffer: 1024 * 1024, env }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`harness run failed: ${error.message}\n${stderr.slice(-2000)}`));
      const [first, ...later] = stdout
        .trim()
        .split('\n')
        .map((line) => withRates(JSON.parse(line)));
      // The last run's figures; with `repeat`, the first (cold) run's beside them.
      resolve({ ...(later.at(-1) ?? first), first });
    });
  });
}

function withRates(result) {
  return {
    ...result,
    requestsPerSecond: result.requests / (result.durationMs / 1000),
    cpuMicrosPerRequest: result.cpuMicros / result.requests,
    mainThreadMicrosPerRequest:
      result.mainThreadCpuMicros === undefined ? undefined : result.mainThreadCpuMicros / result.requests,
  };
}

function execute(args) {
  return new Promise((resolve, reject) => {
    const spawned = spawn(process.execPath, [cli, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    });
    let output = '';
    spawned.stdout.on('data', (chunk) => (output += chunk));
    spawned.stderr.on('data', (chunk) => (output += chunk));
    spawned.once('error', reject);
    spawned.once('exit', (code) => resolve({ code, output }));
  });
}

/** ", of which the main thread N µs" where the child could tell (the rest: V8's compiler and GC threads). */
const mainThread = (run) =>
  run.mainThreadMicrosPerRequest === undefined
    ? ''
    : `, of which the main thread ${formatNumber(run.mainThreadMicrosPerRequest)} µs`;

/** Markdown lines for bench/out/results.md. */
export function renderHarness(harness) {
  if (!harness.available) return ['### Harness', '', `not measured: ${harness.reason}`];
  const second = harness.fullRuns.at(-1);
  const bare = harness.steady.find((run) => run.against.startsWith('bare') && !run.warm && !run.longer);
  const warm = harness.steady.find((run) => run.warm);
  const longer = harness.steady.find((run) => run.longer);
  return [
    '### Harness (`parley test` in its own process; bench/lib/harness.js)',
    '',
    table(
      ['Default full run', 'requests', 'run s', 'wall s (spawn to exit)', 'exit'],
      harness.fullRuns.map((run) => [
        run.label,
        formatNumber(run.requests),
        formatNumber(run.runSeconds, 2),
        formatNumber(run.wallSeconds, 2),
        run.exitCode,
      ]),
    ),
    '',
    `Default full run warm: ${formatNumber(second.wallSeconds, 2)} s (< 1.5 s: ${verdict(second.wallSeconds < 1.5)}).`,
    '',
    table(
      [
        'Longer run (specs loaded first)',
        'against',
        'requests',
        'checks',
        'run s',
        'req/s',
        'CPU µs/request',
        'main thread µs/request',
        'verdict',
      ],
      harness.steady.map((run) => [
        run.label,
        run.against,
        formatNumber(run.requests),
        formatNumber(run.checks),
        formatNumber(run.durationMs / 1000, 2),
        formatNumber(run.requestsPerSecond),
        formatNumber(run.cpuMicrosPerRequest),
        run.mainThreadMicrosPerRequest === undefined ? 'n/a' : formatNumber(run.mainThreadMicrosPerRequest),
        run.verdict,
      ]),
    ),
    '',
    `Against the bare server (the harness alone): ${formatNumber(bare.requestsPerSecond)} req/s (≥ 5,000: ${verdict(bare.requestsPerSecond >= 5000)}), ` +
      `${formatNumber(bare.cpuMicrosPerRequest)} µs CPU per request${mainThread(bare)}; ` +
      `a second run in the same process: ${formatNumber(warm.requestsPerSecond)} req/s, ${formatNumber(warm.cpuMicrosPerRequest)} µs CPU per request${mainThread(warm)}` +
      (longer
        ? `; a five times longer first run: ${formatNumber(longer.requestsPerSecond)} req/s, ${formatNumber(longer.cpuMicrosPerRequest)} µs CPU per request${mainThread(longer)}.`
        : '.'),
    '',
  ];
}
