/**
 * `node bench/harness.js [--quick]`: only the harness part of `npm run bench` (bench/lib/harness.js),
 * for working on the harness's per-request path. PARLEY_HARNESS_DIST=<other dist/> measures another
 * build's harness against the same servers, for before/after figures.
 */
import os from 'node:os';
import { measureHarness, renderHarness } from './lib/harness.js';

const quick = process.argv.includes('--quick');
const started = os.loadavg();
const harness = await measureHarness(quick);
const ended = os.loadavg();
const load = (averages) => averages.map((value) => value.toFixed(2)).join(' ');
process.stdout.write(
  `${[
    `harness ${process.env.PARLEY_HARNESS_DIST ?? 'of this build'}, ${os.cpus().length} cores, load average ${load(started)} before, ${load(ended)} after`,
    '',
    ...renderHarness(harness),
  ].join('\n')}\n`,
);
