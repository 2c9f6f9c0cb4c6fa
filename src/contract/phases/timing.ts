/** Time limits for phases: fast-check properties cut at a job's `until`, and how a cut is told apart from the deadline. */
import fc from 'fast-check';
import type { RunState } from '../run-state.js';
import type { JobOutcome } from '../schedule.js';

/** Runs a property with the run's seed, cut off at `until`. */
export function checkUntil<T>(
  property: fc.IAsyncProperty<T>,
  numRuns: number,
  seed: number,
  until: number,
): Promise<fc.RunDetails<T>> {
  const timeLeft = until - Date.now();
  return fc.check(property, {
    numRuns,
    seed,
    interruptAfterTimeLimit: Number.isFinite(timeLeft) ? Math.max(1, timeLeft) : undefined,
    markInterruptAsFailure: false,
  });
}

/** fast-check counts a run cut before any success as failed, with no counterexample: not the target's fault. */
export function cutBeforeFirstRun(result: Pick<fc.RunDetails<unknown>, 'interrupted' | 'counterexample'>): boolean {
  return result.interrupted && result.counterexample === null;
}

/** The outcome of a job that stopped at `until`: its own share of the time, or the run's deadline. */
export function cutOutcome(state: RunState, started: boolean): JobOutcome {
  return {
    done: false,
    reason: state.interrupted ? 'deadline' : state.stoppedAtFirstFailure ? 'fail-fast' : 'time-share',
    started,
  };
}
