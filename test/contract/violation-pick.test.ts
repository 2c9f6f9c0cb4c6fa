/**
 * The fuzz phase's single invalid variant (violationOf): for every pick it is one of the confirmed
 * variants violationsOf lists (same kind, place and body), the same for the same pick, and there is
 * one exactly when the list is not empty.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validRequestArbitrary } from '../../src/contract/requests.js';
import { applicableKinds, violationOf, violationsOf } from '../../src/contract/violations.js';
import { loadSpec } from '../../src/openapi/load.js';
import { SpecValidator } from '../../src/openapi/validator.js';
import type { ContractRequest } from '../../src/contract/types.js';
import { BUNDLED_SPECS } from '../helpers/mock.js';

/** What a variant sends and claims (the operation object itself refers back to its spec). */
const shape = ({ operation, ...variant }: ContractRequest) => JSON.stringify({ operation: operation.id, ...variant });

describe('violationOf', () => {
  it('picks a confirmed variant of the kind, deterministically, whenever there is one', async () => {
    let compared = 0;
    for (const file of BUNDLED_SPECS) {
      const spec = await loadSpec(file);
      const validator = new SpecValidator(spec);
      for (const operation of spec.operations) {
        for (const request of fc.sample(validRequestArbitrary(operation), { numRuns: 15, seed: 7 })) {
          for (const kind of applicableKinds(operation)) {
            const all = violationsOf(request, kind, validator).map(shape);
            for (const pick of [0, 1, 2, 7, 2 ** 31 - 1]) {
              const one = violationOf(request, kind, validator, pick);
              if (all.length === 0) {
                expect(one).toBeUndefined();
                continue;
              }
              expect(one?.violation?.kind).toBe(kind);
              expect(all).toContain(shape(one!));
              expect(shape(violationOf(request, kind, validator, pick)!)).toBe(shape(one!));
              compared++;
            }
          }
        }
      }
    }
    expect(compared).toBeGreaterThan(100);
  });
});
