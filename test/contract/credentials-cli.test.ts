/**
 * `parley test` with two credentials and the new flags, as a child process: --api-key twice or
 * --second-api-key for the tenant-isolation properties (neither key printed), usage errors for
 * a third key, a repeated key or an unreadable --max-response-time.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/contract/types.js';
import type { RunningMock } from '../../src/mock/server.js';
import { ensureBuilt } from '../helpers/build.js';
import { ROOT, startBundledMock } from '../helpers/mock.js';
import { run } from '../helpers/processes.js';

const BIN = path.join(ROOT, 'bin/parley.js');
const parley = (args: string[], env: Record<string, string> = {}) =>
  run(
    '/usr/bin/env',
    [...Object.entries(env).map(([name, value]) => `${name}=${value}`), process.execPath, BIN, 'test', ...args],
    60_000,
    ROOT,
  );
const FIRST = 'sk-first-tenant-1111';
const SECOND = 'sk-second-tenant-2222';

let mock: RunningMock;
let dir: string;
beforeAll(async () => {
  ensureBuilt();
  mock = await startBundledMock({ apiKeys: [FIRST, SECOND] });
  dir = await mkdtemp(path.join(os.tmpdir(), 'parley-credentials-'));
}, 120_000);
afterAll(async () => {
  await mock?.close();
});

const tenantRuns = (report: Report) =>
  report.tallies.filter((t) => t.check === 'feather.tenant_isolation').reduce((n, t) => n + t.passed, 0);

describe('two credentials', () => {
  for (const [how, args, env] of [
    ['--api-key twice', ['--api-key', FIRST, '--api-key', SECOND], {}],
    ['--second-api-key', ['--api-key', FIRST, '--second-api-key', SECOND], {}],
    ['PARLEY_API_KEY and PARLEY_SECOND_API_KEY', [], { PARLEY_API_KEY: FIRST, PARLEY_SECOND_API_KEY: SECOND }],
  ] as const) {
    it(`${how}: the tenant-isolation property runs, and neither key is printed`, async () => {
      const json = path.join(dir, `${how.replace(/\W+/g, '-')}.json`);
      const result = await parley(
        [
          '--target',
          mock.url,
          'specs/feather.yaml',
          ...args,
          '--seed',
          '2',
          '--runs',
          '5',
          '--only',
          'feather.tenant_isolation',
          '--json',
          json,
        ],
        env,
      );
      expect(result.code, result.stdout + result.stderr).toBe(0);
      const text = await readFile(json, 'utf8');
      expect(tenantRuns(JSON.parse(text))).toBeGreaterThan(0);
      for (const output of [result.stdout, result.stderr, text]) {
        expect(output.includes(FIRST)).toBe(false);
        expect(output.includes(SECOND)).toBe(false);
      }
    });
  }

  it('with one key the tenant-isolation property is reported as not run', async () => {
    const json = path.join(dir, 'one-key.json');
    const result = await parley([
      '--target',
      mock.url,
      'specs/feather.yaml',
      '--api-key',
      FIRST,
      '--runs',
      '5',
      '--phases',
      'stateful',
      '--json',
      json,
    ]);
    const report: Report = JSON.parse(await readFile(json, 'utf8'));
    expect(tenantRuns(report)).toBe(0);
    expect(report.warnings.find((w) => w.check === 'feather.tenant_isolation')?.message).toMatch(
      /^not run: it needs a second credential/,
    );
    expect(result.stdout).toMatch(/not run: it needs a second credential/);
  });
});

describe.concurrent('usage errors (exit 2)', () => {
  for (const [args, message] of [
    [['--api-key', 'a1234', '--api-key', 'b1234', '--api-key', 'c1234'], /--api-key takes at most two keys/],
    [['--api-key', 'a1234', '--api-key', 'b1234', '--second-api-key', 'c1234'], /give the second key once/],
    [['--api-key', 'a1234', '--second-api-key', 'a1234'], /the second API key must differ from the first/],
    [['--api-key', 'a1234', '--max-response-time', 'soon'], /--max-response-time expects a duration such as 90s/],
  ] as const) {
    it(args.join(' '), async () => {
      const result = await parley(['--target', 'http://127.0.0.1:9', ...args]);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(message);
    });
  }
});
