/**
 * Runs the planned jobs on a few workers, fairly: the next job always goes to the operation with the
 * fewest jobs in flight (so one slow operation holds one worker, not all of them), and under a
 * deadline each job gets its share of the time left, so a slow phase cannot eat the others' time.
 */
import type { Operation, Spec } from '../spec/types.js';
import type { Phase, Untested } from './types.js';

/** Why a job stopped before its end. */
export type CutReason = Untested['reason'];

export type JobOutcome = { done: true } | { done: false; reason: CutReason; started: boolean };

export interface Job {
  spec: Spec;
  /** The operation it tests (a sequence's first operation). */
  operation: Operation;
  phase: Phase;
  /** e.g. "fuzz (invalid: wrong_type)", "coverage", a sequence name. */
  name: string;
  /** Works until done or until `until` (a Date.now() instant); says which. */
  run(until: number): Promise<JobOutcome>;
}

export interface ScheduleOptions {
  concurrency: number;
  /** Date.now() instant the whole run must end by (Infinity: none). */
  deadline: number;
  /** Checked before each job starts: true stops the schedule (deadline passed, --fail-fast). */
  stopReason(): CutReason | undefined;
  onStart?(job: Job, done: number, total: number): void;
  onEnd?(job: Job, done: number, total: number): void;
}

export interface JobResult {
  job: Job;
  outcome: JobOutcome;
}

const operationOf = (job: Job) => `${job.spec.name}\u0000${job.operation.id}`;

export async function runJobs(jobs: readonly Job[], options: ScheduleOptions): Promise<JobResult[]> {
  const pending = [...jobs];
  const inFlight = new Map<string, number>();
  const results: JobResult[] = [];
  let done = 0;

  /** The first pending job (plan order: phase by phase) of the operation with the fewest jobs running. */
  const next = (): Job | undefined => {
    if (pending.length === 0) return undefined;
    let best = 0;
    for (let i = 1; i < pending.length; i++) {
      if ((inFlight.get(operationOf(pending[i])) ?? 0) < (inFlight.get(operationOf(pending[best])) ?? 0)) best = i;
    }
    return pending.splice(best, 1)[0];
  };

  const worker = async () => {
    for (let job = next(); job; job = next()) {
      const stop = options.stopReason();
      if (stop) {
        results.push({ job, outcome: { done: false, reason: stop, started: false } });
        continue;
      }
      const key = operationOf(job);
      inFlight.set(key, (inFlight.get(key) ?? 0) + 1);
      options.onStart?.(job, done, jobs.length);
      // Its share: the time left spread over the jobs left, as many at once as there are workers.
      const now = Date.now();
      const share = Number.isFinite(options.deadline) ? ((options.deadline - now) * options.concurrency) / (pending.length + 1) : Infinity;
      const until = Math.min(options.deadline, now + share);
      const outcome = await job.run(until);
      results.push({ job, outcome: !outcome.done && outcome.reason === 'time-share' && until >= options.deadline ? { ...outcome, reason: 'deadline' } : outcome });
      inFlight.set(key, (inFlight.get(key) ?? 1) - 1);
      done++;
      options.onEnd?.(job, done, jobs.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, jobs.length) }, worker));
  return results;
}
