/**
 * The fuzz phase's single invalid variant (violationOf): for every pick it is one of the confirmed
 * variants violationsOf lists (same kind, place and body), the same for the same pick, and there is
 * one exactly when the list is not empty. canCarry, which lets the fuzz phase skip a kind, never
 * says no to a kind some request of the operation carries.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validRequestArbitrary } from '../../src/contract/requests.js';
import { applicableKinds, canCarry, violationOf, violationsOf } from '../../src/contract/violations.js';
import { loadSpec } from '../../src/openapi/load.js';
import { SpecValidator } from '../../src/openapi/validator.js';
import type { ContractRequest } from '../../src/contract/types.js';
import { BUNDLED_SPECS, fixtureFile } from '../helpers/mock.js';

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

describe('canCarry', () => {
  it('says no only for kinds no generated request of the operation has a variant of', async () => {
    const told = { no: 0, yes: 0 };
    const files = [...BUNDLED_SPECS, ...['keywords-3.0.yaml', 'keywords-3.1.yaml', 'coverage.yaml'].map(fixtureFile)];
    for (const file of files) {
      const spec = await loadSpec(file);
      const validator = new SpecValidator(spec);
      for (const operation of spec.operations) {
        const requests = fc.sample(validRequestArbitrary(operation), { numRuns: 40, seed: 11 });
        for (const kind of applicableKinds(operation)) {
          const carried = requests.some((request) => violationsOf(request, kind, validator).length > 0);
          if (carried) expect(canCarry(operation, kind), `${operation.id} ${kind}`).toBe(true);
          told[canCarry(operation, kind) ? 'yes' : 'no']++;
        }
      }
    }
    // Both answers are given: the bundled specs have bodies without maxLength or enum, the fixtures every keyword.
    expect(told.no).toBeGreaterThan(5);
    expect(told.yes).toBeGreaterThan(20);
  });
});
