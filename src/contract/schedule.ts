/**
 * Runs the planned jobs on a few workers, fairly: the next job always goes to the operation with the
 * fewest jobs in flight (so one slow operation holds one worker, not all of them), and under a
 * deadline each job gets a share of the time left (split over the operations' phases still to do),
 * so a slow phase cannot eat the others' time. A resumable job cut at its share goes back in the
 * queue and goes on later; any other is cut for good, and the report says so.
 */
import type { Operation, Spec } from '../openapi/types.js';
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
  /**
   * True when a job cut at its share of the time keeps its progress and can go on where it stopped:
   * it goes back in the queue behind the others instead of ending.
   */
  resumable?: boolean;
  /** Called when a resumable job that was cut will not get another slice (the run stopped). */
  abandon?(): void;
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

/** A job's operation and its (operation, phase) group as keys, made once per job rather than at every pick. */
const keysOfJob = new WeakMap<Job, { operation: string; group: string }>();
function keysOf(job: Job): { operation: string; group: string } {
  let keys = keysOfJob.get(job);
  if (!keys) {
    const operation = `${job.spec.name}\u0000${job.operation.id}`;
    keysOfJob.set(job, (keys = { operation, group: `${operation}\u0000${job.phase}` }));
  }
  return keys;
}
const operationOf = (job: Job) => keysOf(job).operation;

/** No slice shorter than this: a job must get somewhere before it yields. */
const MIN_SLICE_MS = 250;

export async function runJobs(jobs: readonly Job[], options: ScheduleOptions): Promise<JobResult[]> {
  const pending = [...jobs];
  const inFlight = new Map<string, number>();
  const results: JobResult[] = [];
  const started = new Set<Job>();
  // Jobs not yet finished (pending or running) per (operation, phase) group: its size is the groups left to share the time.
  const unfinished = new Map<string, number>();
  for (const job of jobs) unfinished.set(keysOf(job).group, (unfinished.get(keysOf(job).group) ?? 0) + 1);
  const finish = (job: Job) => {
    const { group } = keysOf(job);
    const left = unfinished.get(group)! - 1;
    if (left === 0) unfinished.delete(group);
    else unfinished.set(group, left);
  };
  let done = 0;

  /** The first pending job (plan order: phase by phase) of the operation with the fewest jobs running. */
  const next = (): Job | undefined => {
    if (pending.length === 0) return undefined;
    let best = 0;
    let fewest = inFlight.get(operationOf(pending[0])) ?? 0;
    for (let i = 1; i < pending.length && fewest > 0; i++) {
      const running = inFlight.get(operationOf(pending[i])) ?? 0;
      if (running < fewest) {
        best = i;
        fewest = running;
      }
    }
    return pending.splice(best, 1)[0];
  };

  const worker = async () => {
    for (let job = next(); job; job = next()) {
      const stop = options.stopReason();
      if (stop) {
        job.abandon?.();
        finish(job);
        results.push({ job, outcome: { done: false, reason: stop, started: started.has(job) } });
        continue;
      }
      started.add(job);
      const key = operationOf(job);
      inFlight.set(key, (inFlight.get(key) ?? 0) + 1);
      options.onStart?.(job, done, jobs.length);
      // Its share: the time left spread over the operations' phases still to work on, as many at once as there are workers.
      const now = Date.now();
      const share = Number.isFinite(options.deadline)
        ? Math.max(MIN_SLICE_MS, ((options.deadline - now) * options.concurrency) / unfinished.size)
        : Infinity;
      const until = Math.min(options.deadline, now + share);
      const outcome = await job.run(until);
      inFlight.set(key, (inFlight.get(key) ?? 1) - 1);
      if (!outcome.done && outcome.reason === 'time-share' && job.resumable && Date.now() < options.deadline) {
        pending.push(job); // its next slice comes after everyone else's turn
        continue;
      }
      finish(job);
      results.push({
        job,
        outcome:
          !outcome.done && outcome.reason === 'time-share' && until >= options.deadline
            ? { ...outcome, reason: 'deadline' }
            : outcome,
      });
      done++;
      options.onEnd?.(job, done, jobs.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, jobs.length) }, worker));
  return results;
}
