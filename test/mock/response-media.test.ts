/**
 * Answers in the media type the spec documents when it is not JSON: an image endpoint sends a real
 * image, a CSV endpoint its example text; and parley test asks for (Accept) and judges them as such.
 */
import { describe, expect, it } from 'vitest';
import { request } from 'undici';
import { runContract } from '../../src/contract/runner.js';
import { ROOT, specMockFor } from '../helpers/mock.js';

const SPEC = `${ROOT}test/fixtures/real-world-defects/answers-3.1.yaml`;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe('non-JSON answers', () => {
  const mock = specMockFor([SPEC]);

  it('an image/png answer is a PNG file, with its content type and length', async () => {
    const answer = await request(`${mock.url}/tickets/t-1/qr`, { headers: { accept: 'image/png' } });
    const bytes = Buffer.from(await answer.body.arrayBuffer());
    expect(answer.statusCode).toBe(200);
    expect(answer.headers['content-type']).toBe('image/png');
    expect(bytes.subarray(0, 8)).toEqual(PNG_SIGNATURE);
    expect(Number(answer.headers['content-length'])).toBe(bytes.length);
  });

  it('a text/csv answer is the example text, not a JSON string', async () => {
    const answer = await request(`${mock.url}/reports/daily`);
    expect(answer.headers['content-type']).toBe('text/csv');
    expect(await answer.body.text()).toBe('day,visits\n2025-01-01,12\n');
  });

  it('parley test asks for the documented types and finds the mock conforming', async () => {
    const report = await runContract({
      target: mock.url,
      specFiles: [SPEC],
      seed: 3,
      runs: 10,
      requestTimeoutMs: 5000,
    });
    expect(report.failures.map((f) => `${f.operation} ${f.check}: ${f.message}`)).toEqual([]);
    expect(
      report.tallies.find((t) => t.operation === 'getTicketCode' && t.check === 'content_type_conformance')?.passed,
    ).toBeGreaterThan(0);
  });
});
