/** Each job's seed: stable for the same run seed and job, different between jobs, within --seed's range. */
import { describe, expect, it } from 'vitest';
import { jobSeed } from '../../src/contract/job-seed.js';

describe('jobSeed', () => {
  const jobs = [
    ['api', 'createThing', 'stateful', 'crud.use_after_free'],
    ['api', 'createThing', 'stateful', 'crud.echo'],
    ['api', 'createThing', 'fuzz', 'fuzz (valid)'],
    ['api', 'createThing', 'fuzz', 'fuzz (invalid: wrong_type)'],
    ['api', 'getThing', 'fuzz', 'fuzz (valid)'],
    ['other', 'createThing', 'fuzz', 'fuzz (valid)'],
    ['api', 'createThin', 'gfuzz', 'fuzz (valid)'],
  ];

  it('is the same for the same run seed and job, so a replay draws what the run drew', () => {
    for (const job of jobs) expect(jobSeed(4, ...job)).toBe(jobSeed(4, ...job));
  });

  it('differs between jobs of one run (names split differently included) and between run seeds', () => {
    for (const runSeed of [0, 1, 4, 2 ** 31 - 1]) {
      const seeds = jobs.map((job) => jobSeed(runSeed, ...job));
      expect(new Set(seeds).size).toBe(jobs.length);
      for (const seed of seeds) expect(Number.isInteger(seed) && seed >= 0 && seed < 2 ** 31).toBe(true);
    }
    expect(jobSeed(1, ...jobs[0])).not.toBe(jobSeed(2, ...jobs[0]));
  });
});
