/**
 * Integer schemas with int64 bounds (OpenAI's `seed`: ±9223372036854775807) are generated within
 * the safe integers. Over the raw range fast-check's draw never ended, so `parley test` stalled on
 * the operation and --max-time, which needs the event loop, could not cut it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { schemaArbitrary } from '../../src/openapi/arbitrary.js';

describe('int64 bounds', () => {
  it('generates safe integers inside the bounds, quickly', () => {
    const started = performance.now();
    const values = fc.sample(
      schemaArbitrary({ type: 'integer', minimum: -(2 ** 63), maximum: 2 ** 63 }, { direction: 'request' }),
      { numRuns: 200, seed: 0 },
    );
    expect(values.every((v) => Number.isSafeInteger(v))).toBe(true);
    expect(new Set(values).size).toBeGreaterThan(10);
    expect(performance.now() - started).toBeLessThan(10_000); // a generous guard: the old draw took minutes
  });

  it('keeps a bound inside the safe range as it is', () => {
    const values = fc.sample(
      schemaArbitrary({ type: 'integer', minimum: 5, maximum: 2 ** 63 }, { direction: 'request' }),
      { numRuns: 100, seed: 1 },
    );
    expect(values.every((v) => Number.isSafeInteger(v) && (v as number) >= 5)).toBe(true);
    expect(values).toContain(5);
  });
});
