/**
 * The constraint walk asked for the invalid probes of one kind (the fuzz phase, once per generated
 * request) finds exactly those the full walk (the coverage phase) finds of that kind, in the same
 * order: whatever it skips to be cheap, it skips nothing it should have found.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { probesOf } from '../../src/contract/constraints.js';
import { jsonBodyOf, validRequestArbitrary } from '../../src/contract/requests.js';
import type { ViolationKind } from '../../src/contract/types.js';
import { VIOLATION_KINDS } from '../../src/contract/violations.js';
import { loadSpec } from '../../src/openapi/load.js';
import { BUNDLED_SPECS, fixtureFile } from '../helpers/mock.js';

/** Every kind the walk makes: the fuzz phase's body kinds and the coverage phase's own. */
const OWN_CONSTRUCTION = new Set<ViolationKind>([
  'malformed_json',
  'wrong_content_type',
  'missing_body',
  'bad_path_parameter',
]);
const KINDS: ViolationKind[] = [
  ...VIOLATION_KINDS.filter((kind) => !OWN_CONSTRUCTION.has(kind)),
  'additional_property',
  'pattern_mismatch',
  'array_size',
  'duplicate_items',
];

describe('probesOf for one kind', () => {
  it('finds what the full walk finds of that kind, in order', async () => {
    const files = [...BUNDLED_SPECS, ...['keywords-3.0.yaml', 'keywords-3.1.yaml', 'coverage.yaml'].map(fixtureFile)];
    const found = new Map<ViolationKind, number>();
    for (const file of files) {
      const spec = await loadSpec(file);
      for (const operation of spec.operations) {
        const media = jsonBodyOf(operation);
        if (!media?.schema) continue;
        for (const request of fc.sample(validRequestArbitrary(operation), { numRuns: 25, seed: 5 })) {
          if (request.body === undefined) continue;
          const all = probesOf(media.schema, request.body, 'body');
          for (const kind of KINDS) {
            const wanted = all.filter((probe) => probe.expect === 'invalid' && probe.kind === kind);
            expect(probesOf(media.schema, request.body, 'body', 'request', kind), `${operation.id} ${kind}`).toEqual(
              wanted,
            );
            found.set(kind, (found.get(kind) ?? 0) + wanted.length);
          }
        }
      }
    }
    // Every kind is met somewhere, so each filter was held against probes it must keep.
    for (const kind of KINDS) expect(found.get(kind), kind).toBeGreaterThan(0);
  });
});
