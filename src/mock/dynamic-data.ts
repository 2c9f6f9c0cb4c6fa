/** Random but schema-valid data for `Prefer: dynamic=true`, from the same generator the contract suite uses. */
import fc from 'fast-check';
import { schemaArbitrary } from '../openapi/arbitrary.js';
import type { JsonSchema } from '../openapi/types.js';

export function sampleFromSchema(schema: JsonSchema, seed: number): unknown {
  return fc.sample(schemaArbitrary(schema, { direction: 'response' }), { numRuns: 1, seed })[0];
}
