/**
 * Bench child: one `parley test` run through the library, the specs loaded before the clock starts,
 * so the figures are the harness's cost per request and not spec loading. Prints a JSON line per run:
 * requests, checks, run milliseconds, CPU microseconds of the run (user + system, every thread; and
 * of the main thread alone, where Linux tells it), the verdict.
 * `repeat` (default 1) runs the same suite that many times in this process: the later runs find
 * V8's optimised code and the per-operation caches made (validators are compiled again: one
 * SpecValidator per run).
 * The child makes the V8 settings the CLI makes for `parley test` (src/cli/harness-tuning.js), where
 * the build has them, so the figures are those of the command.
 * Usage: node harness-child.js '<json { target, runs, phases?, skip?, apiKey, seed, repeat? }>'; PARLEY_HARNESS_DIST
 * runs the harness of another build (its dist/ directory).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dist = process.env.PARLEY_HARNESS_DIST || path.join(root, 'dist');
const load = (file) => import(pathToFileURL(path.join(dist, file)).href);
const { loadSpecs } = await load('src/openapi/load.js');
const { runContract } = await load('src/contract/runner.js');
const { verdictOf } = await load('src/contract/collect.js');
// Builds before the API modules kept the bundled contracts in contracts/.
const { BUNDLED_CONTRACTS } = await load('src/apis/index.js').catch(() => load('contracts/index.js'));

// The V8 settings `parley test` makes before it runs (builds before them had none).
const { tuneV8ForHarness } = await load('src/cli/harness-tuning.js').catch(() => ({}));
tuneV8ForHarness?.();

const { repeat = 1, ...options } = JSON.parse(process.argv[2]);
const specs = await loadSpecs(['feather', 'julep', 'eliza'].map((name) => path.join(root, 'specs', `${name}.yaml`)));
// `repeat` > 1: the same run again in this process, where V8 has compiled the hot code and the caches are full.
for (let run = 0; run < repeat; run++) {
  const before = process.cpuUsage();
  const mainBefore = mainThreadCpuMicros();
  const report = await runContract({ ...options, specs, contracts: [...BUNDLED_CONTRACTS] });
  const cpu = process.cpuUsage(before);
  const mainAfter = mainThreadCpuMicros();
  const checks = report.tallies.reduce((sum, tally) => sum + tally.passed + tally.failed + tally.warned, 0);
  process.stdout.write(
    `${JSON.stringify({
      requests: report.requests,
      checks,
      durationMs: report.durationMs,
      cpuMicros: cpu.user + cpu.system,
      mainThreadCpuMicros: mainBefore === undefined ? undefined : mainAfter - mainBefore,
      verdict: verdictOf(report),
      failures: report.failures.slice(0, 5).map((f) => `${f.operation} ${f.check}: ${f.message}`),
    })}\n`,
  );
}

/**
 * CPU time of this (the main) thread alone, without V8's compiler and GC threads: Linux's
 * /proc/thread-self/schedstat (nanoseconds on a CPU); undefined where there is none.
 */
function mainThreadCpuMicros() {
  try {
    return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]) / 1000;
  } catch {
    return undefined;
  }
}
