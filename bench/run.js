/**
 * `npm run bench [-- --quick]`: the mock and the harness, measured side by side on this machine.
 *
 * For each workload, a bare node:http server (the ceiling), the parley mock and the Prism 5 mock
 * each run in their own child process and get the same autocannon load. Ratios between them are
 * the figures that matter: on a shared machine absolute numbers drift, side-by-side ratios much less.
 * Then: memory of 1,000,000 stored sessions, the --max-records cap, and the contract harness.
 * Writes bench/out/results.json and bench/out/results.md.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { measureHarness } from './lib/harness.js';
import { load } from './lib/load.js';
import { measureMemory } from './lib/memory.js';
import { peakRssBytes, stopServer } from './lib/processes.js';
import { formatNumber, mib, table, verdict } from './lib/report.js';
import { TARGETS } from './lib/targets.js';
import { capture, WORKLOADS } from './lib/workloads.js';

const quick = process.argv.includes('--quick');
const LOAD = quick ? { connections: 64, durationSeconds: 4, warmupSeconds: 1 } : { connections: 64, durationSeconds: 10, warmupSeconds: 3 };
const TARGETS_PER_WORKLOAD = ['bare', 'parley', 'prism'];
const outDir = fileURLToPath(new URL('out/', import.meta.url));

const log = (line = '') => process.stderr.write(line + '\n');

async function main() {
  const machine = describeMachine();
  log(`parley bench${quick ? ' (quick)' : ''}: ${machine.summary}`);
  log(`load: ${LOAD.connections} connections, ${LOAD.warmupSeconds} s warm-up + ${LOAD.durationSeconds} s measured per target`);

  const answers = await captureParleyAnswers();
  const http = [];
  for (const workload of WORKLOADS) {
    for (const key of TARGETS_PER_WORKLOAD) {
      const target = TARGETS[key];
      const server = await target.start(workload, answers);
      try {
        const request = await workload.prepare(server.url);
        const result = await load(server.url, request, LOAD);
        http.push({ workload: workload.name, target: key, ...result, peakRssBytes: peakRssBytes(server.child.pid) });
        log(`  ${workload.name.padEnd(24)} ${target.name.padEnd(15)} ${formatNumber(result.requestsPerSecond).padStart(7)} req/s  p99 ${result.p99Ms} ms`);
      } finally {
        await stopServer(server.child);
      }
    }
  }

  log('memory: 1,000,000 Feather sessions, then 2,000,000 under a 1,000,000 cap');
  const memory = await measureMemory();
  log('harness: parley test against the mock');
  const harness = await measureHarness(quick);

  const results = { date: new Date().toISOString(), quick, machine, load: LOAD, http, memory, harness };
  const markdown = render(results);
  mkdirSync(outDir, { recursive: true });
  writeFileSync(new URL('results.json', `file://${outDir}`), JSON.stringify(results, null, 2));
  writeFileSync(new URL('results.md', `file://${outDir}`), markdown);
  process.stdout.write(`\n${markdown}\n`);
}

/** The mock's own answers, so the bare server returns byte-for-byte the same bodies. */
async function captureParleyAnswers() {
  const server = await TARGETS.parley.start();
  try {
    const answers = {};
    for (const workload of WORKLOADS) {
      const request = await workload.prepare(server.url);
      answers[request.path] = await capture(server.url, request);
    }
    return answers;
  } finally {
    await stopServer(server.child);
  }
}

function describeMachine() {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const nproc = Number(execFileSync('nproc').toString().trim());
  const memoryGiB = os.totalmem() / 1024 ** 3;
  return { nproc, cpu, node: process.version, memoryGiB, summary: `${nproc} cores (${cpu}), ${memoryGiB.toFixed(1)} GiB, Node ${process.version}` };
}

function render({ date, quick, machine, load: settings, http, memory, harness }) {
  const find = (workload, target) => http.find((row) => row.workload === workload && row.target === target);
  const lines = [
    `Run ${date}${quick ? ' (--quick)' : ''} on ${machine.summary}.`,
    `Load: autocannon, ${settings.connections} connections, ${settings.warmupSeconds} s warm-up then ${settings.durationSeconds} s measured, one target at a time; each server in its own child process.`,
    '',
    '### HTTP',
    '',
    table(
      ['Workload', 'Server', 'req/s', 'p50 ms', 'p99 ms', 'peak RSS MiB', 'failed'],
      http.map((row) => [row.workload, TARGETS[row.target].name, formatNumber(row.requestsPerSecond), row.p50Ms, row.p99Ms, formatNumber(mib(row.peakRssBytes)), row.failures]),
    ),
    '',
    '### Ratios',
    '',
    table(
      ['Workload', 'parley / Prism req/s (≥ 10×)', 'parley / bare req/s (≥ 50%)', 'parley p99 (< 5 ms)'],
      WORKLOADS.map(({ name }) => {
        const [parley, prism, bare] = [find(name, 'parley'), find(name, 'prism'), find(name, 'bare')];
        const overPrism = parley.requestsPerSecond / prism.requestsPerSecond;
        const ofBare = parley.requestsPerSecond / bare.requestsPerSecond;
        return [
          name,
          `${formatNumber(overPrism, 1)}× ${verdict(overPrism >= 10)}`,
          `${formatNumber(ofBare * 100)}% ${verdict(ofBare >= 0.5)}`,
          `${parley.p99Ms} ms ${verdict(parley.p99Ms < 5)}`,
        ];
      }),
    ),
    '',
    '### Memory (store directly, no HTTP: sessions made by the create-session behaviour)',
    '',
    table(
      ['Run', 'inserted', 'stored', 'RSS MiB', 'heap used MiB'],
      memory.flatMap((run) => run.samples.map((sample) => [run.label, formatNumber(sample.inserted), formatNumber(sample.stored), formatNumber(mib(sample.rssBytes)), formatNumber(mib(sample.heapUsedBytes))])),
    ),
    '',
    `RSS at 1,000,000 sessions: ${formatNumber(mib(memory[0].finalRssBytes))} MiB (< 1 GiB: ${verdict(memory[0].finalRssBytes < 1024 ** 3)}); ` +
      `with the cap, stored stays at ${formatNumber(memory[1].samples.at(-1).stored)} after ${formatNumber(memory[1].samples.at(-1).inserted)} inserts.`,
    '',
    '### Harness',
    '',
    harness.available
      ? table(
          ['Run', 'checked requests', 'wall s', 'checked req/s', 'target'],
          harness.runs.map((run) => [run.label, formatNumber(run.checkedRequests), formatNumber(run.wallSeconds, 2), formatNumber(run.checkedPerSecond), run.target]),
        )
      : `not measured: ${harness.reason}`,
  ];
  return lines.join('\n');
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
