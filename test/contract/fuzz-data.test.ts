/**
 * Issue #10 (fuzz data that finds crashes) and issue #9 (array query parameters hung the run):
 * generated strings carry astral, combining, right-to-left and NUL characters and exact maximum
 * lengths often, numbers their bounds and extreme magnitudes; array and object parameters are
 * serialised per style / explode instead of being filtered away.
 */
import { fullFormats } from 'ajv-formats/dist/formats.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { queryPairs, headerText } from '../../src/contract/parameter-style.js';
import { runContract } from '../../src/contract/runner.js';
import { schemaArbitrary } from '../../src/openapi/arbitrary.js';
import { fixtureFile, startSpecMock } from '../helpers/mock.js';

const ASTRAL = /[\u{10000}-\u{10FFFF}]/u;
const share = <T>(values: T[], test: (value: T) => boolean) => values.filter(test).length / values.length;

describe('fuzz data', () => {
  it('a free-text string holds a character outside the BMP in a good share of every seed', () => {
    const arbitrary = schemaArbitrary({ type: 'string', minLength: 1 });
    for (const seed of [1, 2, 3, 4, 5]) {
      const samples = fc.sample(arbitrary, { seed, numRuns: 200 }) as string[];
      expect(
        share(samples, (s) => ASTRAL.test(s)),
        `seed ${seed}`,
      ).toBeGreaterThan(0.2);
      expect(
        share(samples, (s) => /[\u0300-\u036f\u20d0-\u20ff]/.test(s)),
        `seed ${seed}`,
      ).toBeGreaterThan(0.02);
      expect(
        share(samples, (s) => /[\u0590-\u06ff\u200f\u202e]/.test(s)),
        `seed ${seed}`,
      ).toBeGreaterThan(0.05);
      expect(
        share(samples, (s) => s.includes('\u0000')),
        `seed ${seed}`,
      ).toBeGreaterThan(0.01);
      // Never a lone surrogate: every value is valid UTF-8 on the wire.
      for (const s of samples)
        expect(s).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
    }
  });

  it('strings reach maxLength exactly, counted in code points, with multi-unit characters among them', () => {
    const samples = fc.sample(schemaArbitrary({ type: 'string', maxLength: 10 }), {
      seed: 3,
      numRuns: 300,
    }) as string[];
    const atMax = samples.filter((s) => [...s].length === 10);
    expect(atMax.length).toBeGreaterThan(15);
    expect(atMax.some((s) => s.length > 10)).toBe(true); // UTF-16 length past the bound: length bugs show
    expect(samples.every((s) => [...s].length <= 10)).toBe(true);
  });

  it.each(['uri', 'url', 'uri-reference'])(
    'format %s: URLs that pass the format, with paths and percent-encoded bytes among them',
    (format) => {
      const schema = { type: 'string', format };
      // ajv-formats' own check of the format, as the validator makes it.
      const check = fullFormats[format as 'uri' | 'url' | 'uri-reference'];
      const valid = (value: string) =>
        check instanceof RegExp ? check.test(value) : (check as (v: string) => boolean)(value);
      for (const seed of [1, 2, 3]) {
        const samples = fc.sample(schemaArbitrary(schema), { seed, numRuns: 300 }) as string[];
        expect(samples.filter((url) => !valid(url))).toEqual([]);
        expect(samples.filter((url) => /^https?:\/\/[^/]+\/./.test(url)).length).toBeGreaterThan(100);
        expect(samples.some((url) => /%[0-9A-F]{2}/.test(url))).toBe(true);
        expect(new Set(samples).size).toBeGreaterThan(250);
      }
    },
  );

  it('numbers hit their bounds, the nearest values inside exclusive ones, and extreme magnitudes where unbounded', () => {
    const bounded = fc.sample(schemaArbitrary({ type: 'integer', minimum: 1, maximum: 50 }), { seed: 1, numRuns: 200 });
    for (const edge of [1, 2, 49, 50]) expect(bounded).toContain(edge);
    expect(bounded.every((n) => (n as number) >= 1 && (n as number) <= 50)).toBe(true);

    const unbounded = fc.sample(schemaArbitrary({ type: 'integer' }), { seed: 2, numRuns: 300 });
    expect(unbounded).toContain(2 ** 53 - 1);
    expect(unbounded).toContain(2 ** 31);
    const int32 = fc.sample(schemaArbitrary({ type: 'integer', format: 'int32' }), {
      seed: 2,
      numRuns: 300,
    }) as number[];
    expect(int32.every((n) => n >= -(2 ** 31) && n <= 2 ** 31 - 1)).toBe(true);

    const exclusive = fc.sample(schemaArbitrary({ type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 }), {
      seed: 4,
      numRuns: 300,
    }) as number[];
    expect(exclusive.every((n) => n > 0 && n < 1)).toBe(true);
    expect(exclusive).toContain(5e-324);
    expect(Math.max(...exclusive)).toBeGreaterThan(0.9999999999);

    const doubles = fc.sample(schemaArbitrary({ type: 'number' }), { seed: 5, numRuns: 300 }) as number[];
    expect(doubles.some((n) => Math.abs(n) >= 1e300)).toBe(true);
    expect(doubles.some((n) => n !== 0 && Math.abs(n) < 1e-300)).toBe(true);
  });
});

describe('shrinking', () => {
  it('a failing edge value shrinks to the smallest failing value, integers and doubles alike', () => {
    const integer = fc.check(
      fc.property(
        schemaArbitrary({ type: 'integer', minimum: 5, maximum: 1440 }) as fc.Arbitrary<number>,
        (n) => n < 100,
      ),
      { seed: 1 },
    );
    expect(integer.counterexample).toEqual([100]);
    for (const seed of [1, 2, 3]) {
      const double = fc.check(
        fc.property(
          schemaArbitrary({ type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 }) as fc.Arbitrary<number>,
          (n) => n < 0.5,
        ),
        { seed },
      );
      expect(double.failed).toBe(true);
      expect(String(double.errorInstance)).toMatch(/returning false/); // not a shrinker crash
      expect(double.counterexample![0]).toBeGreaterThanOrEqual(0.5);
      expect(double.counterexample![0]).toBeLessThan(0.51);
    }
  });
});

describe('array and object parameters (issue #9)', () => {
  it('are serialised per style and explode', () => {
    expect(queryPairs({ name: 'tags' }, ['a', 'b'])).toEqual([
      ['tags', 'a'],
      ['tags', 'b'],
    ]);
    expect(queryPairs({ name: 'ids', style: 'form', explode: false }, [1, 2])).toEqual([['ids', '1,2']]);
    expect(queryPairs({ name: 'ids', style: 'pipeDelimited', explode: false }, [1, 2])).toEqual([['ids', '1|2']]);
    expect(queryPairs({ name: 'ids', style: 'spaceDelimited', explode: false }, [1, 2])).toEqual([['ids', '1 2']]);
    expect(queryPairs({ name: 'filter', style: 'deepObject', explode: true }, { a: 1, b: 'x' })).toEqual([
      ['filter[a]', '1'],
      ['filter[b]', 'x'],
    ]);
    expect(queryPairs({ name: 'point' }, { x: 1, y: 2 })).toEqual([
      ['x', '1'],
      ['y', '2'],
    ]);
    expect(queryPairs({ name: 'point', explode: false }, { x: 1, y: 2 })).toEqual([['point', 'x,1,y,2']]);
    expect(headerText({ explode: false }, [1, 2, 3])).toBe('1,2,3');
    expect(headerText({ explode: true }, { a: 1 })).toBe('a=1');
  });

  it('a spec with array query and header parameters is tested to the end, clean against the mock', async () => {
    const file = fixtureFile('query-styles.yaml');
    const mock = await startSpecMock([file]);
    try {
      const started = performance.now();
      const report = await runContract({ target: mock.url, specFiles: [file], seed: 9, runs: 20, maxTimeMs: 30_000 });
      expect(performance.now() - started).toBeLessThan(30_000);
      expect(report.interrupted).toBe(false);
      expect(report.failures.map((f) => `${f.check}: ${f.message} ${f.curl}`)).toEqual([]);
      const accepted = report.tallies.find((t) => t.check === 'valid_request_accepted');
      expect(accepted?.passed).toBeGreaterThanOrEqual(20);
    } finally {
      await mock.close();
    }
  }, 40_000);
});
