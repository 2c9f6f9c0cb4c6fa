/**
 * Response headers the spec documents are sent: a created record's Location is its own address,
 * others (a rate-limit count, a request id) their example or a schema-built value; and parley test's
 * response_headers_conformance finds the mock conforming.
 */
import { describe, expect, it } from 'vitest';
import { runContract } from '../../src/contract/runner.js';
import { send } from '../helpers/http.js';
import { ROOT, specMockFor } from '../helpers/mock.js';

const SPEC = `${ROOT}test/fixtures/real-world-defects/headers-3.1.yaml`;

describe('documented response headers', () => {
  const mock = specMockFor([SPEC]);

  it('a create answers Location with the record it made, and the documented rate-limit header', async () => {
    const created = await send(mock.url, 'POST', '/orders', { json: { item: 'tea' } });
    expect(created.status).toBe(201);
    expect(created.headers.location).toBe(`/orders/${created.body.id}`);
    expect(created.headers['x-rate-limit-remaining']).toBe('99');
    const followed = await send(mock.url, 'GET', String(created.headers.location));
    expect(followed.status).toBe(200);
    expect(followed.body.item).toBe('tea');
  });

  it('an error answer carries the headers documented for its status', async () => {
    const invalid = await send(mock.url, 'POST', '/orders', { json: { item: '' } });
    expect(invalid.status).toBe(422);
    expect(invalid.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('parley test finds every documented header present and valid', async () => {
    const report = await runContract({
      target: mock.url,
      specFiles: [SPEC],
      seed: 5,
      runs: 10,
      requestTimeoutMs: 5000,
    });
    expect(report.failures.map((f) => `${f.operation} ${f.check}: ${f.message}`)).toEqual([]);
    expect(
      report.tallies.find((t) => t.operation === 'createOrder' && t.check === 'response_headers_conformance')?.passed,
    ).toBeGreaterThan(0);
  });
});
