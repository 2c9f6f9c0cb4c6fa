/**
 * Times `parley test` against the parley mock (each in its own process): the default full run over
 * every bundled operation (wall time from spawn to exit), and a longer run for steady throughput.
 * "Checked requests" are the requests the harness sent and judged; each carries several checks.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stopServer } from './processes.js';
import { TARGETS } from './targets.js';

const cli = fileURLToPath(new URL('../../bin/parley.js', import.meta.url));

export async function measureHarness(quick) {
  if (!(await harnessAvailable())) return { available: false, reason: '`parley test` is not available in this build' };
  const runs = [
    {
      label: 'default full run (all bundled operations)',
      args: [],
      target: 'wall < 15 s',
      meets: (result) => result.wallSeconds < 15,
    },
    {
      label: `--runs ${quick ? 150 : 400} (steady throughput)`,
      args: ['--runs', String(quick ? 150 : 400)],
      target: '> 1,000 checked req/s',
      meets: (result) => result.checkedPerSecond > 1000,
    },
  ];
  const results = [];
  for (const run of runs) {
    const mock = await TARGETS.parley.start();
    try {
      const result = await timeRun(mock.url, run.args);
      results.push({ label: run.label, target: run.target, ...result, met: run.meets(result) });
    } finally {
      await stopServer(mock.child);
    }
  }
  return { available: true, runs: results };
}

async function harnessAvailable() {
  const { code } = await execute(['test', '--help']);
  return code === 0;
}

async function timeRun(url, extraArgs) {
  const reportFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'parley-bench-')), 'report.json');
  const started = performance.now();
  const { code, output } = await execute([
    'test',
    '--target',
    url,
    '--api-key',
    'bench-key',
    '--json',
    reportFile,
    ...extraArgs,
  ]);
  const wallSeconds = (performance.now() - started) / 1000;
  if (code !== 0) throw new Error(`parley test exited with ${code}:\n${output.slice(-2000)}`);
  const report = JSON.parse(readFileSync(reportFile, 'utf8'));
  const checks = report.tallies.reduce((sum, tally) => sum + tally.passed + tally.failed + tally.warned, 0);
  const runSeconds = report.durationMs / 1000;
  return {
    checkedRequests: report.requests,
    checks,
    wallSeconds,
    runSeconds,
    checkedPerSecond: report.requests / runSeconds,
  };
}

function execute(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, output }));
  });
}
