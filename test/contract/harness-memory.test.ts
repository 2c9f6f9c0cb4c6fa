/**
 * The harness's memory does not grow with the requests it sends (issue #9 saw a run on OpenAI's
 * spec peak at 1.9 GB): after a long run against a conforming mock, the heap after a full GC is
 * within a small margin of the heap after a short one. The mock runs in its own process so only
 * the harness is measured.
 */
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runContract } from '../../src/contract/runner.js';
import { loadSpec } from '../../src/openapi/load.js';
import { ROOT } from '../helpers/mock.js';
import { spawnUntil, stopProcess, type Started } from '../helpers/processes.js';

const SPEC = path.join(ROOT, 'test/fixtures/real-world/oai-petstore-expanded.yaml');
/** What a leak of even a few hundred bytes per request would pass over a run of thousands of requests. */
const MAX_GROWTH_BYTES = 12 * 1024 * 1024;

v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc') as () => void;

function heapAfterGc(): number {
  for (let i = 0; i < 3; i++) collectGarbage();
  return process.memoryUsage().heapUsed;
}

describe('harness memory over a long run', () => {
  let mock: Started;
  let url: string;
  beforeAll(async () => {
    mock = await spawnUntil(
      process.execPath,
      [path.join(ROOT, 'bin/parley.js'), 'mock', SPEC, '--port', '0', '--api-key', 'key-alpha'],
      /listening on (http:\/\/127\.0\.0\.1:\d+)/,
      20_000,
    );
    url = mock.match[1];
  });
  afterAll(() => stopProcess(mock.child));

  it('the heap after GC stays within a bound however many requests the run sends', async () => {
    const spec = await loadSpec(SPEC);
    const run = async (runs: number) => {
      const report = await runContract({
        target: url,
        specs: [spec],
        apiKey: 'key-alpha',
        seed: 7,
        runs,
        phases: ['fuzz', 'stateful'],
        requestTimeoutMs: 10_000,
      });
      expect(report.failures).toEqual([]);
      return report.requests;
    };
    await run(20); // warms every lazily built validator and arbitrary
    const before = heapAfterGc();
    const requests = await run(400);
    const after = heapAfterGc();
    expect(requests).toBeGreaterThan(2000);
    expect(after - before).toBeLessThan(MAX_GROWTH_BYTES);
  }, 240_000);
});
