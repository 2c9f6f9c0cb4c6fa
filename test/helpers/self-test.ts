/** `parley test` against `parley mock` of the same spec: one engine, so any failure is a bug of one half. */
import { type ContractOptions, runContract } from '../../src/contract/runner.js';
import type { Report } from '../../src/contract/types.js';
import { loadSpec } from '../../src/openapi/load.js';
import { expect } from 'vitest';
import { withSpecMock } from './mock.js';

export const SELF_TEST_KEY = 'key-alpha';

/**
 * The report of a run against a mock of `file` that knows the run's key (a mock taking any key
 * would rightly fail ignored_auth), and the failures as readable lines for `toEqual([])`.
 */
export function selfTest(
  file: string,
  seed: number,
  options: Partial<ContractOptions> = {},
): Promise<{ report: Report; failures: string[] }> {
  return withSpecMock(
    [file],
    async (mock) => {
      const report = await runContract({
        target: mock.url,
        specFiles: [file],
        apiKey: SELF_TEST_KEY,
        seed,
        runs: 20,
        requestTimeoutMs: 5000,
        ...options,
      });
      return { report, failures: report.failures.map((f) => `${f.operation} ${f.check}: ${f.message}`) };
    },
    { apiKeys: [SELF_TEST_KEY] },
  );
}

/** A self-test of `file` in `seed` that conforms: no failures, not cut short, every operation tested. */
export async function expectSelfTestConforms(file: string, seed: number): Promise<Report> {
  const { report, failures } = await selfTest(file, seed);
  expect(failures).toEqual([]);
  expect(report.interrupted).toBe(false);
  expect(new Set(report.tallies.map((t) => t.operation)).size).toBe(
    new Set((await loadSpec(file)).operations.map((op) => op.id)).size,
  );
  return report;
}
