/**
 * `node bench/harness.js [--quick]`: only the harness part of `npm run bench` (bench/lib/harness.js),
 * for working on the harness's per-request path. PARLEY_HARNESS_DIST=<other dist/> measures another
 * build's harness against the same servers, for before/after figures.
 * `node bench/harness.js --compare <other dist/> [--rounds n]`: that build's harness and this one's,
 * alternating against one bare canned server (`--runs 400`), median and range of the rounds.
 */
import os from 'node:os';
import { compareHarness, measureHarness, renderHarness } from './lib/harness.js';
import { formatNumber, table } from './lib/report.js';

const argValue = (name) => {
  const at = process.argv.indexOf(name);
  return at === -1 ? undefined : process.argv[at + 1];
};
const quick = process.argv.includes('--quick');
const other = argValue('--compare');
const started = os.loadavg();
const lines = other
  ? renderComparison(await compareHarness(other, { rounds: Number(argValue('--rounds') ?? 3) }))
  : renderHarness(await measureHarness(quick));
const ended = os.loadavg();
const load = (averages) => averages.map((value) => value.toFixed(2)).join(' ');
process.stdout.write(
  `${[
    `harness ${other ? `${other} against this build` : (process.env.PARLEY_HARNESS_DIST ?? 'of this build')}, ${os.cpus().length} cores, load average ${load(started)} before, ${load(ended)} after`,
    '',
    ...lines,
  ].join('\n')}\n`,
);

function renderComparison({ other: before, current }) {
  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const summary = (runs, key, digits = 0) => {
    const values = runs.map((run) => run[key]);
    return `${formatNumber(median(values), digits)} (${formatNumber(Math.min(...values), digits)}–${formatNumber(Math.max(...values), digits)})`;
  };
  const row = (label, runs) => [
    label,
    formatNumber(runs[0].requests),
    summary(runs, 'requestsPerSecond'),
    summary(runs, 'cpuMicrosPerRequest'),
    runs.every((run) => run.mainThreadMicrosPerRequest !== undefined)
      ? summary(runs, 'mainThreadMicrosPerRequest')
      : 'n/a',
    [...new Set(runs.map((run) => run.verdict))].join(', '),
  ];
  const cold = (processes) => processes.map((process) => process.first);
  const all = [...before, ...current].flatMap((process) => [process, process.first]);
  const same = all.every(
    (run) => run.requests === all[0].requests && run.checks === all[0].checks && run.verdict === all[0].verdict,
  );
  return [
    table(
      [
        'Harness against the bare canned server',
        'requests',
        'req/s median (range)',
        'CPU µs/request median (range)',
        'main thread µs/request',
        'verdict',
      ],
      [
        row(`${other}: first run of the process`, cold(before)),
        row('this build: first run of the process', cold(current)),
        row(`${other}: second run, same process`, before),
        row('this build: second run, same process', current),
      ],
    ),
    '',
    `Same requests, checks and verdict in every run: ${same ? 'yes' : 'NO'}.`,
  ];
}
