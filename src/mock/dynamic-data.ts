/** Random but schema-valid data for `Prefer: dynamic=true`, from the same generator the contract suite uses. */
import fc from 'fast-check';
import { schemaArbitrary } from '../spec/arbitrary.js';
import type { JsonSchema } from '../spec/types.js';

const cache = new WeakMap<object, fc.Arbitrary<unknown>>();

export function sampleFromSchema(schema: JsonSchema, seed: number): unknown {
  if (typeof schema !== 'object') return {};
  let arbitrary = cache.get(schema);
  if (!arbitrary) {
    arbitrary = schemaArbitrary(schema, { direction: 'response' });
    cache.set(schema, arbitrary);
  }
  return fc.sample(arbitrary, { numRuns: 1, seed })[0];
}
