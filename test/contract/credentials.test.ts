/**
 * Credentials go where each security scheme says: API keys in a query parameter or cookie, HTTP
 * Basic as base64 user:password, oauth2 as a bearer token. The mock refuses anything else, so a
 * run that conforms sent every one right; and a run without credentials says what is missing.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { placeCredentials } from '../../src/contract/credentials.js';
import { runContract } from '../../src/contract/runner.js';
import { loadSpec } from '../../src/openapi/load.js';
import { send } from '../helpers/http.js';
import { ROOT, specMockFor } from '../helpers/mock.js';
import { run } from '../helpers/processes.js';

const SPEC = `${ROOT}test/fixtures/real-world-defects/security-3.1.yaml`;
const BIN = path.join(ROOT, 'bin/parley.js');

describe('credentials placed as the security schemes say', () => {
  // The keys the runs use: a mock that accepts any key would rightly fail ignored_auth.
  // (A Basic credential is its base64 token, RFC 7617.)
  const basic = (userPassword: string) => Buffer.from(userPassword).toString('base64');
  const mock = specMockFor([SPEC], { apiKeys: ['key-alpha', basic('ada:pw'), basic('ada:s3cret-pw')] });

  it('places a key in the query and a cookie, Basic as base64, oauth2 as bearer', async () => {
    const spec = await loadSpec(SPEC);
    const security = (id: string) => spec.operations.find((op) => op.id === id)!.security;
    expect(placeCredentials(security('queryKey'), { apiKey: 'k-123' }).query).toEqual([['api_key', 'k-123']]);
    expect(placeCredentials(security('cookieKey'), { apiKey: 'k-123' }).cookies).toEqual([['session_key', 'k-123']]);
    expect(placeCredentials(security('basicAuth'), { basic: 'ada:pw' }).headers.authorization).toBe(
      `Basic ${Buffer.from('ada:pw').toString('base64')}`,
    );
    expect(placeCredentials(security('oauth'), { apiKey: 'tok' }).headers.authorization).toBe('Bearer tok');
  });

  it('the mock refuses Basic that is not base64 user:password', async () => {
    expect((await send(mock.url, 'GET', '/basic', { headers: { authorization: 'Basic ada' } })).status).toBe(401);
    expect(
      (
        await send(mock.url, 'GET', '/basic', {
          headers: { authorization: `Basic ${Buffer.from('ada:pw').toString('base64')}` },
        })
      ).status,
    ).toBe(200);
  });

  for (const seed of [1, 2]) {
    it(`a run with --api-key and --basic conforms, every valid request accepted (seed ${seed})`, async () => {
      const report = await runContract({
        target: mock.url,
        specFiles: [SPEC],
        apiKey: 'key-alpha',
        basic: 'ada:pw',
        seed,
        runs: 5,
        requestTimeoutMs: 5000,
      });
      expect(report.failures.map((f) => `${f.operation} ${f.check}: ${f.message}`)).toEqual([]);
      for (const operation of ['queryKey', 'cookieKey', 'basicAuth', 'oauth']) {
        const accepted = report.tallies.find((t) => t.operation === operation && t.check === 'valid_request_accepted');
        expect(accepted?.passed, operation).toBeGreaterThan(0);
        expect(
          report.tallies.find((t) => t.operation === operation && t.check === 'missing_credentials_rejected')?.passed,
          operation,
        ).toBeGreaterThan(0);
      }
    });
  }

  it('the CLI hides --basic and its base64 form in every report', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'parley-basic-'));
    const json = path.join(dir, 'report.json');
    const result = await run(
      process.execPath,
      [
        BIN,
        'test',
        '--target',
        mock.url,
        SPEC,
        '--basic',
        'ada:s3cret-pw',
        '--api-key',
        'key-alpha',
        '--seed',
        '3',
        '--runs',
        '3',
        '--json',
        json,
      ],
      60_000,
      ROOT,
    );
    expect(result.code, result.stderr).toBe(0);
    const everything = result.stdout + result.stderr + (await readFile(json, 'utf8'));
    expect(everything).not.toContain('s3cret-pw');
    expect(everything).not.toContain(Buffer.from('ada:s3cret-pw').toString('base64'));
  });
});
