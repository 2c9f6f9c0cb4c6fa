/**
 * Issue #3: against the parley mock the whole suite (stateless checks and the bundled contracts'
 * sequences) finds zero failures, and every check and sequence really ran.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLED_CONTRACTS } from '../../src/apis/index.js';
import { CHECKS } from '../../src/contract/checks/index.js';
import { runContract } from '../../src/contract/runner.js';
import type { Report } from '../../src/contract/types.js';
import type { RunningMock } from '../../src/mock/server.js';
import { BUNDLED_SPECS, fixtureFile, startBundledMock, startSpecMock } from '../helpers/mock.js';

let mock: RunningMock;

beforeAll(async () => {
  // Two known keys: a mock that accepts any key would rightly fail ignored_auth.
  mock = await startBundledMock({ apiKeys: ['key-alpha', 'key-beta'] });
});

afterAll(async () => {
  await mock?.close();
});

const describeFailures = (report: Report) =>
  report.failures.map((f) => `${f.spec} ${f.operation} ${f.check}: ${f.message}\n  ${f.curl}`).join('\n');

const passedBy = (report: Report, check: string, operation?: string) =>
  report.tallies
    .filter((t) => t.check === check && (operation === undefined || t.operation === operation))
    .reduce((sum, t) => sum + t.passed, 0);

describe('the contract suite against the parley mock', () => {
  for (const [seed, runs] of [
    [1, undefined],
    [7, 20],
  ] as const) {
    it(`finds zero failures, every check and sequence exercised (seed ${seed}, runs ${runs ?? 'default'})`, async () => {
      const report = await runContract({
        target: mock.url,
        specFiles: BUNDLED_SPECS,
        contracts: [...BUNDLED_CONTRACTS],
        apiKey: 'key-alpha',
        secondApiKey: 'key-beta',
        seed,
        runs,
      });
      expect(report.failures, describeFailures(report)).toEqual([]);
      expect(report.interrupted).toBe(false);
      expect(report.specs.map((s) => s.name)).toEqual(['feather', 'julep', 'eliza']);

      // The bundled specs document no response headers: response_headers_conformance is exercised in checks.test.ts.
      for (const check of CHECKS.filter((c) => c.name !== 'response_headers_conformance'))
        expect(passedBy(report, check.name), check.name).toBeGreaterThan(0);
      const sequences = BUNDLED_CONTRACTS.flatMap((c) => c.sequences.map((s) => s.name));
      expect(sequences).toHaveLength(13);
      for (const sequence of sequences) expect(passedBy(report, sequence), sequence).toBeGreaterThan(0);

      // Every operation got valid requests accepted, invalid ones rejected and, where it declares security, credentials enforced.
      const operations = new Set(report.tallies.map((t) => t.operation));
      expect(operations.size).toBe(5);
      for (const operation of operations) {
        expect(passedBy(report, 'valid_request_accepted', operation), operation).toBeGreaterThan(0);
        expect(passedBy(report, 'invalid_request_rejected', operation), operation).toBeGreaterThan(0);
        expect(passedBy(report, 'error_schema_conformance', operation), operation).toBeGreaterThan(0);
      }
      // Sequences and prepare hooks send requests of their own on top of the checked ones.
      expect(report.requests).toBeGreaterThan(passedBy(report, 'response_received'));
    });
  }

  it('finds zero failures on the generic CRUD specs (3.0 and 3.1), where a 404 for a generated id is only a warning', async () => {
    const files = [fixtureFile('crud-3.0.yaml'), fixtureFile('crud-3.1.yaml')];
    const crud = await startSpecMock(files, { apiKeys: ['key-alpha'] });
    try {
      const report = await runContract({ target: crud.url, specFiles: files, apiKey: 'key-alpha', seed: 3, runs: 30 });
      expect(report.failures, describeFailures(report)).toEqual([]);
      expect(report.warnings.filter((w) => w.check === 'valid_request_accepted').map((w) => w.message)).toContain(
        'a 404 for generated path parameters (no such resource); a contract in contracts/ can supply real ids',
      );
      // Collections and creates are still accepted, and invalid requests rejected.
      expect(passedBy(report, 'valid_request_accepted', 'createPet')).toBeGreaterThan(0);
      expect(passedBy(report, 'valid_request_accepted', 'listNotes')).toBeGreaterThan(0);
      expect(passedBy(report, 'invalid_request_rejected')).toBeGreaterThan(0);
    } finally {
      await crud.close();
    }
  });
});
