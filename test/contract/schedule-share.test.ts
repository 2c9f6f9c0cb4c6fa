/**
 * The scheduler's time shares under a deadline: each job gets the time left spread over the
 * (operation, phase) groups not yet finished, counting the running ones and those cut and queued
 * again, so a group drops out of the count only when its last job ends.
 */
import { describe, expect, it } from 'vitest';
import type { Operation, Spec } from '../../src/openapi/types.js';
import { type Job, type JobOutcome, runJobs } from '../../src/contract/schedule.js';
import type { Phase } from '../../src/contract/types.js';

const spec = { name: 'spec' } as Spec;
const operation = (id: string) => ({ id }) as Operation;

describe('runJobs time shares', () => {
  it('spreads the time left over the groups still unfinished, a resumed job keeping its group counted', async () => {
    const deadline = Date.now() + 60_000;
    const shares: [string, number][] = [];
    let resumedOnce = false;
    const job = (name: string, op: string, phase: Phase, resumable = false): Job => ({
      spec,
      operation: operation(op),
      phase,
      name,
      resumable,
      async run(until: number): Promise<JobOutcome> {
        shares.push([name, Math.round((until - Date.now()) / 1000)]);
        if (name === 'a-fuzz' && !resumedOnce) {
          resumedOnce = true;
          return { done: false, reason: 'time-share', started: true };
        }
        return { done: true };
      },
    });
    const results = await runJobs(
      [
        job('a-fuzz', 'a', 'fuzz', true),
        job('a-fuzz-2', 'a', 'fuzz'),
        job('b-fuzz', 'b', 'fuzz'),
        job('c-coverage', 'c', 'coverage'),
      ],
      { concurrency: 1, deadline, stopReason: () => undefined },
    );
    expect(results.map((result) => [result.job.name, result.outcome.done])).toEqual([
      ['a-fuzz-2', true],
      ['b-fuzz', true],
      ['c-coverage', true],
      ['a-fuzz', true],
    ]);
    // 60 s over 3 groups; a-fuzz cut and queued, so group a still counts (3); then a (a-fuzz-2) ends but
    // a-fuzz is pending (3), b ends (2 left: a, c), c ends (1 left: a).
    expect(shares).toEqual([
      ['a-fuzz', 20],
      ['a-fuzz-2', 20],
      ['b-fuzz', 20],
      ['c-coverage', 30],
      ['a-fuzz', 60],
    ]);
  });
});
