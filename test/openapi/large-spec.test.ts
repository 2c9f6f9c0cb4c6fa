/**
 * The corpus's large spec: OpenAI's (3.1, 2.9 MB of YAML, 288 operations; gzipped in
 * test/fixtures/real-world/, origin in SOURCES.md). It validates, `parley mock` starts on it within
 * a bound of time and memory, and `parley test` against that mock touches every operation and ends
 * with zero failures and a complete verdict. Small --runs and --coverage-budget keep the run to about
 * a minute on a loaded two-core machine.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/contract/types.js';
import { loadSpec } from '../../src/openapi/load.js';
import { ROOT } from '../helpers/mock.js';
import { run, spawnUntil, stopProcess, watchPeakRss } from '../helpers/processes.js';

const BIN = path.join(ROOT, 'bin/parley.js');
const GZIPPED = path.join(ROOT, 'test/fixtures/real-world/openai.yaml.gz');
const KEY = 'key-alpha';
/** Generous bounds: about 9 s and 350 MB were measured on a quiet machine. */
const MOCK_START_BOUND_MS = 90_000;
const MOCK_RSS_BOUND_BYTES = 1.5 * 1024 ** 3;
/** The harness's own deadline: a run it cuts short exits 3 and fails the test. */
const MAX_TIME = '150s';

describe("OpenAI's spec, the corpus's large one", () => {
  let directory: string;
  let file: string;

  beforeAll(async () => {
    directory = await mkdtemp(path.join(os.tmpdir(), 'parley-large-spec-'));
    file = path.join(directory, 'openai.yaml');
    await writeFile(file, gunzipSync(await readFile(GZIPPED)));
  });

  afterAll(async () => {
    if (directory) await rm(directory, { recursive: true, force: true });
  });

  it('parley validate accepts it', async () => {
    const result = await run(process.execPath, [BIN, 'validate', file], 120_000);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`${file}: valid OpenAPI 3.1`);
  }, 150_000);

  it('parley test against parley mock of it touches every operation and conforms', async () => {
    const started = Date.now();
    const mock = await spawnUntil(
      process.execPath,
      [BIN, 'mock', file, '--port', '0', '--api-key', KEY],
      /listening on (http:\/\/127\.0\.0\.1:\d+)/,
      MOCK_START_BOUND_MS,
      ROOT,
    );
    const peakRss = watchPeakRss(mock.child);
    try {
      expect(Date.now() - started).toBeLessThan(MOCK_START_BOUND_MS);
      const reportFile = path.join(directory, 'report.json');
      const result = await run(
        process.execPath,
        [
          ...[BIN, 'test', file, '--target', mock.match[1], '--api-key', KEY, '--seed', '1'],
          ...['--runs', '2', '--coverage-budget', '5', '--max-time', MAX_TIME, '--json', reportFile],
        ],
        200_000,
      );
      const report = JSON.parse(await readFile(reportFile, 'utf8')) as Report;
      expect(report.failures.map((f) => `${f.operation} ${f.check}: ${f.message}`)).toEqual([]);
      expect(report.flaky.map((f) => `${f.failure.operation} ${f.failure.check}: ${f.failure.message}`)).toEqual([]);
      expect(report.untested).toEqual([]);
      expect(report.interrupted).toBe(false);
      expect(result.code, result.stderr).toBe(0);
      const operations = (await loadSpec(file)).operations.map((op) => op.id);
      expect(operations.length).toBe(288);
      expect(new Set(report.tallies.map((t) => t.operation))).toEqual(new Set(operations));
      expect(peakRss()).toBeLessThan(MOCK_RSS_BOUND_BYTES);
    } finally {
      await stopProcess(mock.child);
    }
  }, 320_000);
});
