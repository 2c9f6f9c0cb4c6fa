/**
 * `npm run bench [-- --quick] [-- --only <workload>]`: the mock and the harness, measured side by
 * side on this machine.
 *
 * For each workload, a bare node:http server (the ceiling), the parley mock and the Prism 5 mock
 * each run in their own child process and get the same autocannon load. Ratios between them are
 * the figures that matter: on a shared machine absolute numbers drift, side-by-side ratios much less.
 * Then: memory of 1,000,000 stored sessions, the --max-records cap, the contract harness, and
 * --state-file at scale (bench/state-file.js).
 * Writes bench/out/results.json and bench/out/results.md.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { measureHarness, renderHarness } from './lib/harness.js';
import { measureSpecLoading, renderSpecLoading } from './lib/spec-load.js';
import { loadSideBySide, roundRatios, targetsFor } from './lib/load.js';
import { measureCapOverHttp, measureMemory } from './lib/memory.js';
import { peakRssBytes, stopServer } from './lib/processes.js';
import { measureStateFile, renderStateFile } from './state-file.js';
import { formatCpu, formatNumber, formatRange, mib, table, verdict } from './lib/report.js';
import { captureParleyAnswers, TARGETS } from './lib/targets.js';
import { WORKLOADS } from './lib/workloads.js';

const quick = process.argv.includes('--quick');
const LOAD = quick
  ? { connections: 64, durationSeconds: 4, warmupSeconds: 1, rounds: 2 }
  : { connections: 64, durationSeconds: 10, warmupSeconds: 3, rounds: 5 };
const TARGETS_PER_WORKLOAD = ['bare', 'parley', 'prism'];
const only = argValue('--only');
const outDir = fileURLToPath(new URL('out/', import.meta.url));

const log = (line = '') => process.stderr.write(`${line}\n`);

async function main() {
  const machine = describeMachine();
  log(`parley bench${quick ? ' (quick)' : ''}: ${machine.summary}`);
  log(
    `load: ${LOAD.connections} connections, ${LOAD.warmupSeconds} s warm-up + ${LOAD.durationSeconds} s measured per target in ${LOAD.rounds} rounds`,
  );

  const answers = await captureParleyAnswers();
  const http = [];
  for (const workload of WORKLOADS.filter((w) => !only || w.name.includes(only))) {
    const servers = [];
    try {
      for (const key of TARGETS_PER_WORKLOAD) servers.push({ key, ...(await TARGETS[key].start(workload, answers)) });
      const targets = await targetsFor(servers, workload);
      const results = await loadSideBySide(targets, LOAD);
      for (const server of servers) {
        const result = results.get(server.key);
        http.push({
          workload: workload.name,
          target: server.key,
          ...result,
          peakRssBytes: peakRssBytes(server.child.pid),
        });
        log(
          `  ${workload.name.padEnd(24)} ${TARGETS[server.key].name.padEnd(15)} ${formatNumber(result.requestsPerSecond).padStart(7)} req/s  ${formatCpu(result.cpuMicrosPerRequest).padStart(6)} µs CPU/req  p99 ${formatNumber(result.p99Ms, 2)} ms`,
        );
      }
    } finally {
      await Promise.all(servers.map((server) => stopServer(server.child)));
    }
  }

  // --only <workload> is for working on the HTTP path: it skips the memory and harness parts.
  let memory, harness, stateFile, specLoading;
  if (!only) {
    // Before the harness: it also leaves the bundled specs in the default cache, so the run below is warm.
    log('spec loading: cold and warm, each load a fresh process');
    specLoading = await measureSpecLoading();
    for (const row of specLoading)
      log(
        `  ${row.label}: cold ${formatNumber(row.cold.loadMs)} ms + validators ${formatNumber(row.cold.validatorsMs)} ms, warm ${formatNumber(row.warm.loadMs)} + ${formatNumber(row.warm.validatorsMs)} ms`,
      );
    log('memory: 1,000,000 Feather sessions, then 2,000,000 under a 1,000,000 cap');
    memory = { store: await measureMemory(), http: await measureCapOverHttp(quick ? 3 : 6) };
    log('harness: parley test against the mock and against a bare canned server');
    harness = await measureHarness(quick);
    stateFile = await measureStateFile({
      sessions: Number(process.env.PARLEY_BENCH_STATE_SESSIONS ?? (quick ? 200_000 : 1_000_000)),
      idleSeconds: Number(process.env.PARLEY_BENCH_IDLE_SECONDS ?? (quick ? 5 : 20)),
    });
  }

  const results = {
    date: new Date().toISOString(),
    quick,
    machine,
    load: LOAD,
    http,
    memory,
    specLoading,
    harness,
    stateFile,
  };
  const markdown = render(results);
  mkdirSync(outDir, { recursive: true });
  writeFileSync(path.join(outDir, 'results.json'), JSON.stringify(results, null, 2));
  writeFileSync(path.join(outDir, 'results.md'), markdown);
  process.stdout.write(`\n${markdown}\n`);
}

function argValue(name) {
  const at = process.argv.indexOf(name);
  return at === -1 ? undefined : process.argv[at + 1];
}

function describeMachine() {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const nproc = Number(execFileSync('nproc').toString().trim());
  const memoryGiB = os.totalmem() / 1024 ** 3;
  return {
    nproc,
    cpu,
    node: process.version,
    memoryGiB,
    summary: `${nproc} cores (${cpu}), ${memoryGiB.toFixed(1)} GiB, Node ${process.version}`,
  };
}

function render({ date, quick, machine, load: settings, http, memory, specLoading, harness, stateFile }) {
  const find = (workload, target) => http.find((row) => row.workload === workload && row.target === target);
  const lines = [
    `Run ${date}${quick ? ' (--quick)' : ''} on ${machine.summary}.`,
    `Load: autocannon, ${settings.connections} connections; per target ${settings.warmupSeconds} s warm-up, then ${settings.durationSeconds} s measured in ${settings.rounds} interleaved rounds; each server in its own child process.`,
    '',
    '### HTTP',
    '',
    table(
      ['Workload', 'Server', 'req/s', 'CPU µs/req', 'p50 ms', 'p99 ms', 'peak RSS MiB', 'failed'],
      http.map((row) => [
        row.workload,
        TARGETS[row.target].name,
        formatNumber(row.requestsPerSecond),
        formatCpu(row.cpuMicrosPerRequest),
        formatNumber(row.p50Ms, 2),
        formatNumber(row.p99Ms, 2),
        formatNumber(mib(row.peakRssBytes)),
        row.failures,
      ]),
    ),
    '',
    '### Ratios',
    '',
    "Median of the per-round ratios (min–max over rounds): within a round the targets run seconds apart, so the ratio is steadier than the totals above. CPU per request is the server process's user + system time (/proc/<pid>/stat) over the measured rounds divided by the requests it answered.",
    '',
    table(
      [
        'Workload',
        'parley / Prism req/s (≥ 10×)',
        'parley / bare req/s (≥ 50%)',
        'parley / bare CPU per request (≤ 1.3×)',
        'parley p99 (< 5 ms)',
        'bare / Prism req/s',
      ],
      WORKLOADS.filter(({ name }) => find(name, 'parley')).map(({ name }) => {
        const [parley, prism, bare] = [find(name, 'parley'), find(name, 'prism'), find(name, 'bare')];
        const overPrism = roundRatios(parley, prism);
        const ofBare = roundRatios(parley, bare);
        const cpuOverBare = roundRatios(parley, bare, 'roundCpuMicros');
        return [
          name,
          `${formatNumber(overPrism.median, 1)}× (${formatNumber(overPrism.min, 1)}–${formatNumber(overPrism.max, 1)}) ${verdict(overPrism.median >= 10)}`,
          `${formatNumber(ofBare.median * 100, 1)}% (${formatNumber(ofBare.min * 100)}–${formatNumber(ofBare.max * 100)}) ${verdict(ofBare.median >= 0.5)}`,
          `${formatRange(cpuOverBare, { digits: 2 })} ${verdict(cpuOverBare.median <= 1.3)}`,
          `${formatNumber(parley.p99Ms, 2)} ms ${verdict(parley.p99Ms < 5)}`,
          `${formatNumber(roundRatios(bare, prism).median, 1)}×`,
        ];
      }),
    ),
    '',
    ...(memory ? renderMemory(memory) : []),
    ...(specLoading ? renderSpecLoading(specLoading, { mib, formatNumber, table, verdict }) : []),
    ...(harness ? renderHarness(harness) : []),
    ...(stateFile ? renderStateFile(stateFile) : []),
  ];
  return lines.join('\n');
}

function renderMemory({ store: memory, http }) {
  return [
    '### Memory (store directly, no HTTP: sessions made by the create-session behaviour)',
    '',
    table(
      ['Run', 'inserted', 'stored', 'RSS MiB', 'heap used MiB'],
      memory.flatMap((run) =>
        run.samples.map((sample) => [
          run.label,
          formatNumber(sample.inserted),
          formatNumber(sample.stored),
          formatNumber(mib(sample.rssBytes)),
          formatNumber(mib(sample.heapUsedBytes)),
        ]),
      ),
    ),
    '',
    `RSS at 1,000,000 sessions: ${formatNumber(mib(memory[0].finalRssBytes))} MiB (< 1 GiB: ${verdict(memory[0].finalRssBytes < 1024 ** 3)}); ` +
      `with the cap, stored stays at ${formatNumber(memory[1].samples.at(-1).stored)} after ${formatNumber(memory[1].samples.at(-1).inserted)} inserts.`,
    '',
    `Through HTTP, a mock started with --max-records ${formatNumber(http.maxRecords)}: ${formatNumber(http.created)} create-session requests answered, ` +
      `${formatNumber(http.stored)} records held afterwards (${verdict(http.stored <= http.maxRecords)}), peak RSS ${formatNumber(mib(http.peakRssBytes))} MiB.`,
    '',
  ];
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
