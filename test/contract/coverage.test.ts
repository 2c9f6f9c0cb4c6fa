/**
 * Issue #10, the coverage phase: every constraint of a small spec enumerated exactly (counted by hand
 * below), each probe confirmed by the validator; servers with lenient bound checks (an off-by-one
 * maximum, an exclusive maximum taken as inclusive, Math.trunc before the check) caught in every one
 * of 5 seeds; the parley mock passes every probe.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLED_CONTRACTS } from '../../src/apis/index.js';
import { baseRequest, planProbes } from '../../src/contract/probe-plan.js';
import { runContract } from '../../src/contract/runner.js';
import type { Report } from '../../src/contract/types.js';
import type { RunningMock } from '../../src/mock/server.js';
import { loadSpec } from '../../src/openapi/load.js';
import { SpecValidator } from '../../src/openapi/validator.js';
import { startRelay, withRecallOptions, type Relay, type RelayBehaviour } from '../faulty/relay.js';
import { fixtureFile, SPEC_FILES, startBundledMock, startSpecMock, tempJsonFile } from '../helpers/mock.js';

const SEEDS = [1, 2, 3, 4, 5];

describe('the coverage phase enumerates every constraint', () => {
  /**
   * By hand, around the base request {query: "string", limit: 1, strength: 0, mode: "fast", ref: <uuid>}, ?page=1:
   *   query.page    required (1 invalid), type (1 invalid), maximum (100 valid, 101 invalid), minimum (1 valid, 0 invalid)   6 probes, 4 constraints
   *   body.query    type (1), minLength (length 1 valid, "" invalid), maxLength (20 valid, 21 invalid)                          5 probes, 3 constraints
   *   body.limit    type (1), maximum (50 valid, 51 invalid), minimum (1 valid, 0 invalid)                                    5 probes, 3 constraints
   *   body.strength type (1), exclusiveMaximum (1 invalid, 1-1e-9 valid), minimum (0 valid; -1, -0.5, -1e-9 invalid)          7 probes, 3 constraints
   *   body.mode     type (1), enum (fast, exact valid; a near miss "Fast" invalid)                                           4 probes, 2 constraints
   *   body.ref      type (1), format (a uuid with a bad nibble, invalid)                                                     2 probes, 2 constraints
   *   body.query required, body.limit required (left out), body additionalProperties (an extra property)                  3 probes, 3 constraints
   * Total: 32 probes (10 valid, 22 invalid) over 20 constraints.
   */
  it('plans exactly the probes counted by hand, each on the side it claims', async () => {
    const spec = await loadSpec(fixtureFile('coverage.yaml'));
    const validator = new SpecValidator(spec);
    const [operation] = spec.operations;
    const base = baseRequest(operation, validator, 1);
    expect(base.query).toEqual({ page: 1 });
    expect(base.body).toEqual({ query: 'string', limit: 1, strength: 0, mode: 'fast', ref: expect.any(String) });

    const plan = planProbes(base, validator);
    expect(plan.constraints).toHaveLength(20);
    expect(plan.probes).toHaveLength(32);
    expect(plan.probes.filter((p) => p.kind === 'valid')).toHaveLength(10);
    expect(plan.probes.filter((p) => p.kind === 'invalid')).toHaveLength(22);

    const values = (constraint: string, kind: 'valid' | 'invalid') =>
      plan.probes
        .filter((p) => p.constraint === constraint && p.kind === kind)
        .map((p) => (p.root === 'body' ? (p.request.body as any)[p.path[0]] : p.request.query.page));
    expect(values('query.page maximum', 'valid')).toEqual([100]);
    expect(values('query.page maximum', 'invalid')).toEqual([101]);
    expect(values('body.limit maximum', 'invalid')).toEqual([51]);
    expect(values('body.strength exclusiveMaximum', 'invalid')).toEqual([1]);
    expect(values('body.strength exclusiveMaximum', 'valid')).toEqual([1 - 1e-9]);
    expect(values('body.strength minimum', 'invalid')).toEqual([-1, -0.5, -1e-9]);
    expect(values('body.query maxLength', 'invalid')).toEqual(['string'.padEnd(21, 'x')]);
    expect(values('body.mode enum', 'valid')).toEqual(['fast', 'exact']);
    expect(values('body.mode enum', 'invalid')).toEqual(['Fast']);
    expect(values('body.ref format', 'invalid')[0]).toMatch(/^[0-9a-f-]{35}g$/);
    expect(
      plan.probes.filter((p) => p.constraint === 'query.page required').map((p) => 'page' in p.request.query),
    ).toEqual([false]);
    expect(
      plan.probes
        .filter((p) => p.constraint === 'body additionalProperties')
        .map((p) => Object.keys(p.request.body as object)),
    ).toEqual([['query', 'limit', 'strength', 'mode', 'ref', 'unexpected_property']]);
    // The first 20 probes reach every constraint once: a budget cut still touches each before any twice.
    expect(new Set(plan.probes.slice(0, 20).map((p) => p.constraint)).size).toBe(20);
    // Each probe is on its side of the spec's own validator (the body; the query as text read back).
    for (const probe of plan.probes.filter((p) => p.root === 'body')) {
      const issues = validator.validate(
        operation.requestBody!.content[0].schemaPointer!,
        probe.request.body,
        'request',
      );
      expect(issues.length === 0, `${probe.constraint} ${JSON.stringify(probe.value)}`).toBe(probe.kind === 'valid');
    }
  });

  it('sends them all against the mock of the spec, with zero failures, and the budget cuts where asked', async () => {
    const files = [fixtureFile('coverage.yaml')];
    const mock = await startSpecMock(files);
    try {
      const report = await runContract({ target: mock.url, specFiles: files, seed: 1, phases: ['coverage'] });
      expect(report.failures, JSON.stringify(report.failures.map((f) => [f.constraint, f.check, f.message]))).toEqual(
        [],
      );
      const [entry] = report.constraints;
      expect(entry).toMatchObject({ operation: 'createSearch', planned: 32, sent: 32, budgetCut: false });
      // The coverage model (statuses, content types, parameters, constraints) counts every constraint
      // on the sides it has: 20 invalid sides, and 9 valid ones (bounds, lengths, the enum); every one was sent.
      const [model] = report.coverage.operations;
      expect(model.constraints).toHaveLength(29);
      expect(
        model.constraints
          .filter((c) => c.covered)
          .map((c) => c.id)
          .filter((id) => id.endsWith(' invalid')),
      ).toHaveLength(20);
      expect(model.constraints.filter((c) => c.covered && c.id.endsWith(' valid'))).toHaveLength(9);
      expect(model.constraints.find((c) => c.id === 'body.limit maximum valid')).toMatchObject({
        covered: true,
        phases: ['coverage'],
        hits: 1,
      });
      expect(model.statuses.find((s) => s.id === '422')).toMatchObject({ covered: true, phases: ['coverage'] });
      expect(model.parameters).toEqual([{ id: 'query.page', covered: true, phases: ['coverage'], hits: 31 }]);
      expect(entry.constraints.every((c) => c.valid + c.invalid > 0 && c.unsent === 0)).toBe(true);
      expect(report.requests).toBe(32); // every planned probe once (the reachability probe is not counted)

      const cut = await runContract({
        target: mock.url,
        specFiles: files,
        seed: 1,
        phases: ['coverage'],
        coverageBudget: 12,
      });
      expect(cut.constraints[0]).toMatchObject({ planned: 32, sent: 12, budgetCut: true });
      expect(cut.constraints[0].constraints.filter((c) => c.valid + c.invalid > 0)).toHaveLength(12);
      expect(cut.constraints[0].constraints.reduce((n, c) => n + c.unsent, 0)).toBe(20);
    } finally {
      await mock.close();
    }
  });
});

describe('the coverage phase probes patterns and array sizes', () => {
  const SPEC = {
    openapi: '3.1.0',
    info: { title: 'tags', version: '1' },
    paths: {
      '/tags': {
        post: {
          operationId: 'createTags',
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['code', 'tags'],
                  properties: {
                    code: { type: 'string', pattern: '^[A-Z]{3}-[0-9]{2}$' },
                    tags: {
                      type: 'array',
                      minItems: 1,
                      maxItems: 3,
                      uniqueItems: true,
                      items: { type: 'string', enum: ['a', 'b', 'c'] },
                    },
                  },
                },
              },
            },
          },
          responses: {
            '201': { description: 'Created', content: { 'application/json': { schema: { type: 'object' } } } },
          },
        },
      },
    },
  };

  it('plans a pattern miss, item counts at and past their bounds, and a repeated item, each confirmed by the validator', async () => {
    const file = await tempJsonFile('tags.json', SPEC);
    const spec = await loadSpec(file);
    const validator = new SpecValidator(spec);
    const [operation] = spec.operations;
    const plan = planProbes(baseRequest(operation, validator, 1), validator);
    const probes = (constraint: string, kind: 'valid' | 'invalid') =>
      plan.probes.filter((p) => p.constraint === constraint && p.kind === kind);
    expect(probes('body.code pattern', 'invalid')).toHaveLength(1);
    expect(probes('body.tags minItems', 'valid').map((p) => (p.request.body as any).tags.length)).toEqual([1]);
    expect(probes('body.tags maxItems', 'invalid').map((p) => (p.request.body as any).tags.length)).toEqual([4]);
    expect(probes('body.tags uniqueItems', 'invalid')).toHaveLength(1);
    for (const probe of plan.probes.filter((p) => /pattern|Items/.test(p.constraint))) {
      const issues = validator.validate(
        operation.requestBody!.content[0].schemaPointer!,
        probe.request.body,
        'request',
      );
      expect(issues.length === 0, `${probe.constraint} ${JSON.stringify(probe.request.body)}`).toBe(
        probe.kind === 'valid',
      );
    }
    const mock = await startSpecMock([file]);
    try {
      const report = await runContract({ target: mock.url, specFiles: [file], seed: 2, phases: ['coverage'] });
      expect(report.failures).toEqual([]);
      expect(report.constraints[0].constraints.map((c) => c.id)).toEqual(
        expect.arrayContaining([
          'body.code pattern',
          'body.tags minItems',
          'body.tags maxItems',
          'body.tags uniqueItems',
        ]),
      );
    } finally {
      await mock.close();
    }
  });
});

describe('the coverage phase catches lenient bound checks', () => {
  let mock: RunningMock;
  beforeAll(async () => {
    mock = await startBundledMock({ apiKeys: ['key-alpha', 'key-beta'] });
  });
  afterAll(async () => {
    await mock?.close();
  });

  const JULEP_CREATE = 'create_session_sessions_post';

  /** Julep backends that check recall_options a little wrong: the relay hands the mock what such a backend would accept. */
  const LENIENT: [string, RelayBehaviour, string[]][] = [
    // `limit > 51` instead of `limit > 50`: 51 passes.
    [
      'accepts limit 51 (off by one)',
      { rewrite: ({ json }) => withRecallOptions(json, (o) => (o.limit === 51 ? { ...o, limit: 50 } : o)) },
      ['body.recall_options.limit maximum'],
    ],
    // `mmr_strength <= 1` for an exclusive maximum: 1 itself passes.
    [
      'accepts mmr_strength 1 (exclusive maximum taken as inclusive)',
      {
        rewrite: ({ json }) => withRecallOptions(json, (o) => (o.mmr_strength === 1 ? { ...o, mmr_strength: 0.5 } : o)),
      },
      ['body.recall_options.mmr_strength exclusiveMaximum'],
    ],
    // `Math.trunc(confidence)` in [-1, 1]: 1.5 and -1.5 pass, 2 does not.
    [
      'checks Math.trunc(confidence)',
      {
        rewrite: ({ json }) =>
          withRecallOptions(json, (o) =>
            typeof o.confidence === 'number' && Math.abs(Math.trunc(o.confidence)) <= 1
              ? { ...o, confidence: Math.max(-1, Math.min(1, o.confidence)) }
              : o,
          ),
      },
      ['body.recall_options.confidence maximum', 'body.recall_options.confidence minimum'],
    ],
  ];

  for (const [bug, behaviour, constraints] of LENIENT) {
    it(`a server that ${bug} fails invalid_request_rejected at ${constraints.join(' and ')}, in every one of 5 seeds`, async () => {
      const relay: Relay = await startRelay(mock.url, behaviour);
      try {
        for (const seed of SEEDS) {
          const report: Report = await runContract({
            target: relay.url,
            specFiles: [SPEC_FILES.julep],
            contracts: [...BUNDLED_CONTRACTS],
            apiKey: 'key-alpha',
            seed,
            runs: 10,
            only: [JULEP_CREATE],
          });
          const described = JSON.stringify(
            report.failures.map((f) => [f.phase, f.check, f.constraint, f.violation?.location]),
          );
          const caught = report.failures.filter((f) => f.phase === 'coverage');
          // The coverage phase finds each side of the bug, once per constraint, with the constraint named.
          expect(caught.map((f) => f.constraint).sort(), `seed ${seed}: ${described}`).toEqual([...constraints].sort());
          for (const failure of caught) {
            expect(failure).toMatchObject({
              kind: 'check',
              check: 'invalid_request_rejected',
              operation: JULEP_CREATE,
              spec: 'julep',
            });
            expect(failure.response?.status).toBe(201);
            expect(failure.curl).toContain('recall_options');
          }
          // Nothing else is blamed: the fuzz phase may find the same bug by chance, and nothing more.
          for (const failure of report.failures.filter((f) => f.phase !== 'coverage')) {
            expect(failure.check, described).toBe('invalid_request_rejected');
            expect(failure.violation?.location, described).toMatch(/^body\.recall_options/);
          }
          expect(report.flaky).toEqual([]);
        }
      } finally {
        await relay.close();
      }
    });
  }

  it('the parley mock passes every probe and property in 5 seeds', async () => {
    for (const seed of SEEDS) {
      const report = await runContract({
        target: mock.url,
        specFiles: Object.values(SPEC_FILES),
        contracts: [...BUNDLED_CONTRACTS],
        apiKey: 'key-alpha',
        seed,
        runs: 10,
      });
      expect(
        report.failures,
        `seed ${seed}: ${JSON.stringify(report.failures.map((f) => [f.operation, f.phase, f.check, f.constraint, f.message]))}`,
      ).toEqual([]);
      expect(report.flaky).toEqual([]);
      expect(report.untested).toEqual([]);
      expect(report.phases).toEqual(['examples', 'coverage', 'fuzz', 'stateful']);
      expect(report.constraints).toHaveLength(5);
      for (const entry of report.constraints) expect(entry.sent, entry.operation).toBeGreaterThan(0);
      // ElizaOS documents a request example: the examples phase sent it.
      expect(
        report.tallies.some(
          (t) =>
            t.phase === 'examples' &&
            t.operation === 'createSession' &&
            t.check === 'valid_request_accepted' &&
            t.passed === 1,
        ),
      ).toBe(true);
    }
  });
});
