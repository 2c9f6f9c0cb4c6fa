/**
 * Coverage probes in `application/x-www-form-urlencoded` bodies: each probe is judged as the server
 * reads the form back (fields arrive as text, read to their schema's types), so a probe that a
 * form cannot carry (a number where a string is wanted arrives as a string) is noted, not sent.
 */
import { describe, expect, it } from 'vitest';
import { baseRequest, planProbes } from '../../src/contract/probe-plan.js';
import { runContract } from '../../src/contract/runner.js';
import { loadSpec } from '../../src/openapi/load.js';
import { SpecValidator } from '../../src/openapi/validator.js';
import { ROOT, withSpecMock } from '../helpers/mock.js';

const FORMS = `${ROOT}test/fixtures/real-world-defects/forms-3.0.yaml`;

describe('coverage of form bodies', () => {
  it('plans bound, type, required and extra-field probes in a form, each on the side the server reads it', async () => {
    const spec = await loadSpec(FORMS);
    const validator = new SpecValidator(spec);
    const operation = spec.operations.find((op) => op.id === 'createCustomer')!;
    const base = baseRequest(operation, validator, 1);
    expect(base.contentType).toBe('application/x-www-form-urlencoded');
    const plan = planProbes(base, validator);
    const kinds = (constraint: string) =>
      [...new Set(plan.probes.filter((p) => p.constraint === constraint).map((p) => p.kind))].sort();
    expect(kinds('body.balance maximum')).toEqual(['invalid', 'valid']);
    expect(kinds('body.balance minimum')).toEqual(['invalid', 'valid']);
    expect(kinds('body.email maxLength')).toEqual(['invalid', 'valid']);
    expect(kinds('body.balance type')).toEqual(['invalid']);
    expect(kinds('body.email required')).toEqual(['invalid']);
    expect(kinds('body additionalProperties')).toEqual(['invalid']);
    // A number put in the string field arrives as text, a valid email string: enumerated, never sent as invalid.
    expect(plan.constraints).toContain('body.email type');
    expect(
      plan.probes.filter((p) => p.constraint === 'body.email type' && p.value === 12345 && p.kind === 'invalid'),
    ).toEqual([]);
    for (const probe of plan.probes.filter((p) => p.root === 'body'))
      expect(probe.request.contentType).toBe('application/x-www-form-urlencoded');
  });

  it('sends them to the mock of the same spec with zero failures', async () => {
    await withSpecMock([FORMS], async (mock) => {
      const report = await runContract({ target: mock.url, specFiles: [FORMS], seed: 2, phases: ['coverage'] });
      expect(report.failures).toEqual([]);
      const create = report.constraints.find((c) => c.operation === 'createCustomer')!;
      const probed = (id: string) => create.constraints.find((c) => c.id === id);
      expect(probed('body.balance maximum')).toMatchObject({ valid: 1, invalid: 1 });
      expect(probed('body.email required')).toMatchObject({ valid: 0, invalid: 1 });
      expect(probed('body additionalProperties')).toMatchObject({ valid: 0, invalid: 1 });
      expect(create.sent).toBe(create.planned);
    });
  });
});
