/**
 * Issue #10, checks from the field's catalogue: response_headers_conformance, unsupported_method
 * (opt-in), and --strict, against a small hand-written server whose one fault can be switched.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runContract, type ContractOptions } from '../../src/contract/runner.js';
import type { Report } from '../../src/contract/types.js';
import { fixtureFile } from '../helpers/mock.js';

type Fault =
  | 'none'
  | 'header_missing'
  | 'header_not_an_integer'
  | 'header_bad_uuid'
  | 'method_served'
  | 'method_405_without_allow';

let fault: Fault = 'none';
let server: http.Server;
let url: string;

beforeAll(async () => {
  server = http.createServer((request, response) => {
    request.resume();
    if (request.url?.split('?')[0] !== '/items')
      return void response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
    if (request.method !== 'GET') {
      if (fault === 'method_served')
        return void response.writeHead(200, { 'content-type': 'application/json' }).end('[]');
      return void response
        .writeHead(405, {
          'content-type': 'application/json',
          ...(fault === 'method_405_without_allow' ? {} : { allow: 'GET' }),
        })
        .end('{"error":"method not allowed"}');
    }
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'x-request-id': fault === 'header_bad_uuid' ? 'req-42' : '3c90c3cc-0d44-4b50-8888-8dd25736052a',
    };
    if (fault !== 'header_missing')
      headers['x-rate-limit-remaining'] = fault === 'header_not_an_integer' ? 'plenty' : '99';
    response.writeHead(200, headers).end('["a","b"]');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function run(options: Partial<ContractOptions> = {}): Promise<Report> {
  return runContract({ target: url, specFiles: [fixtureFile('headers.yaml')], seed: 3, runs: 5, ...options });
}

const checksOf = (report: Report) => report.failures.map((f) => f.check);

describe('response_headers_conformance', () => {
  it('passes documented headers that are present and valid', async () => {
    fault = 'none';
    const report = await run();
    expect(report.failures.map((f) => f.message)).toEqual([]);
    expect(
      report.tallies.filter((t) => t.check === 'response_headers_conformance').reduce((n, t) => n + t.passed, 0),
    ).toBeGreaterThan(0);
  });

  for (const [bug, message] of [
    ['header_missing', /^the required X-Rate-Limit-Remaining header is missing from the 200 answer$/],
    ['header_not_an_integer', /^X-Rate-Limit-Remaining: "plenty" must be integer/],
    ['header_bad_uuid', /^X-Request-Id: "req-42" must match format "uuid"/],
  ] as const) {
    it(`fails ${bug}`, async () => {
      fault = bug;
      const report = await run();
      expect(checksOf(report)).toContain('response_headers_conformance');
      expect(report.failures.find((f) => f.check === 'response_headers_conformance')!.message).toMatch(message);
    });
  }
});

describe('unsupported_method', () => {
  it('an undocumented method served with a 200 is a warning by default, a failure when named with --only or under --strict', async () => {
    fault = 'method_served';
    const lenient = await run();
    expect(checksOf(lenient)).not.toContain('unsupported_method');
    expect(lenient.warnings.find((w) => w.check === 'unsupported_method')?.message).toMatch(
      /^PATCH \/items \(undocumented\) answered 200 \(expected 405 with Allow: GET\)$/,
    );

    const named = await run({ only: ['unsupported_method'] });
    expect(named.failures.map((f) => [f.check, f.message, f.wire.method])).toEqual([
      ['unsupported_method', 'PATCH /items (undocumented) answered 200', 'PATCH'],
    ]);

    const strict = await run({ strict: true });
    expect(checksOf(strict)).toContain('unsupported_method');
  });

  it('a 405 needs an Allow header naming the documented methods', async () => {
    fault = 'method_405_without_allow';
    const named = await run({ only: ['unsupported_method'] });
    expect(named.failures.map((f) => f.message)).toEqual(['a 405 without an Allow header']);
    fault = 'none';
    const fine = await run({ only: ['unsupported_method'] });
    expect(fine.failures).toEqual([]);
    expect(fine.tallies.find((t) => t.check === 'unsupported_method')?.passed).toBe(1);
  });
});

describe('--strict', () => {
  it('turns every warning into a failure', async () => {
    fault = 'method_405_without_allow';
    const lenient = await run();
    expect(lenient.failures).toEqual([]);
    expect(lenient.warnings.length).toBeGreaterThan(0);
    const strict = await run({ strict: true });
    expect(strict.failures.map((f) => [f.check, f.expected])).toContainEqual([
      'unsupported_method',
      'no warning (--strict)',
    ]);
  });
});
