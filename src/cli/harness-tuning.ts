/**
 * V8 settings for a `parley test` process, set before the harness's hot code is first optimised.
 * A run is short (seconds), so V8's optimising compiler is a large part of its cost: on the bundled
 * `--runs 400` bench it took ~115 µs of CPU per request on its own threads beside ~210 µs of the
 * harness itself. A quarter of the default inlining budget makes those compiles ~20% cheaper with the
 * optimised code as fast (bench/RESULTS.md, "Harness cost"). Nothing of what a run does depends
 * on it. A flag the user gave node (NODE_OPTIONS, `node --…`) is left as given.
 */
import v8 from 'node:v8';

export const HARNESS_V8_FLAGS: readonly string[] = ['--max-inlined-bytecode-size-cumulative=230'];

export function tuneV8ForHarness(): void {
  const given = `${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`;
  for (const flag of HARNESS_V8_FLAGS) {
    const name = flag.split('=')[0];
    // V8 reads flag names with '-' and '_' alike.
    if (!given.replace(/_/g, '-').includes(name)) v8.setFlagsFromString(flag);
  }
}
