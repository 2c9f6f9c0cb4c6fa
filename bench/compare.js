/**
 * `node bench/compare.js <git-ref> [--only <workload>] [--seconds <n>]`: this checkout's mock
 * against the one at <git-ref>, side by side with the bare server, for each bench workload.
 * The other commit is built with tsc in a temporary git worktree (sharing this node_modules), and
 * both mocks serve this checkout's specs. Prints req/s, p99, CPU µs per request and the change,
 * median of the rounds (range in brackets).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadSideBySide, roundRatios, targetsFor } from './lib/load.js';
import { stopServer } from './lib/processes.js';
import { formatCpu, formatNumber, table } from './lib/report.js';
import { captureParleyAnswers, TARGETS } from './lib/targets.js';
import { WORKLOADS } from './lib/workloads.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const [ref] = process.argv.slice(2).filter((arg, at, all) => !arg.startsWith('--') && !all[at - 1]?.startsWith('--'));
const only = argValue('--only');
const seconds = Number(argValue('--seconds') ?? 10);
if (!ref) {
  process.stderr.write('usage: node bench/compare.js <git-ref> [--only <workload>] [--seconds <n>]\n');
  process.exit(2);
}

const log = (line) => process.stderr.write(`${line}\n`);
const git = (...args) =>
  execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

const commit = git('rev-parse', '--short', ref);
const tree = mkdtempSync(path.join(os.tmpdir(), `parley-${commit}-`));
try {
  log(`building ${ref} (${commit}) in ${tree}`);
  git('worktree', 'add', '--detach', '--force', tree, commit);
  symlinkSync(path.join(root, 'node_modules'), path.join(tree, 'node_modules'), 'dir');
  execFileSync(
    process.execPath,
    [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', path.join(tree, 'tsconfig.json')],
    { stdio: 'inherit' },
  );
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
  await compare(path.join(tree, 'dist'));
} finally {
  git('worktree', 'remove', '--force', tree);
  rmSync(tree, { recursive: true, force: true });
}

async function compare(otherDist) {
  const answers = await captureParleyAnswers();
  const rows = [];
  for (const workload of WORKLOADS.filter((w) => !only || w.name.includes(only))) {
    const servers = [
      { key: commit, ...(await TARGETS.parley.start(workload, answers, { PARLEY_DIST: otherDist })) },
      { key: 'current', ...(await TARGETS.parley.start(workload, answers)) },
      { key: 'bare', ...(await TARGETS.bare.start(workload, answers)) },
    ];
    try {
      const targets = await targetsFor(servers, workload);
      const results = await loadSideBySide(targets, {
        connections: 64,
        durationSeconds: seconds,
        warmupSeconds: 2,
        rounds: 4,
      });
      const [before, after, bare] = [results.get(commit), results.get('current'), results.get('bare')];
      rows.push([
        workload.name,
        ...[before, after, bare].map(
          (result) =>
            `${formatNumber(result.requestsPerSecond)} (p99 ${formatNumber(result.p99Ms, 2)}, ${formatCpu(result.cpuMicrosPerRequest)} µs)`,
        ),
        formatChange(roundRatios(after, before)),
        formatChange(roundRatios(after, before, 'roundCpuMicros')),
        formatNumber(roundRatios(after, bare, 'roundCpuMicros').median, 2) + '×',
      ]);
    } finally {
      await Promise.all(servers.map((server) => stopServer(server.child)));
    }
  }
  process.stdout.write(
    `${table(
      [
        'Workload',
        `${commit} req/s (p99 ms, CPU/req)`,
        'current req/s (p99 ms, CPU/req)',
        'bare req/s (p99 ms, CPU/req)',
        'req/s change',
        'CPU/req change',
        'current / bare CPU',
      ],
      rows,
    )}\n`,
  );
}

/** A ratio's median and range over rounds as a change in percent: `+4% (-2 to +9)`. */
function formatChange({ median, min, max }) {
  const percent = (ratio) => `${ratio >= 1 ? '+' : ''}${formatNumber((ratio - 1) * 100)}`;
  return `${percent(median)}% (${percent(min)} to ${percent(max)})`;
}

function argValue(name) {
  const at = process.argv.indexOf(name);
  return at === -1 ? undefined : process.argv[at + 1];
}
