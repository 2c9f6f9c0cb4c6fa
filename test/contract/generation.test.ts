/**
 * Issue #3, request generation: every generated valid request passes the spec's own validator
 * (thousands of samples, bundled specs, 3.0 and 3.1 CRUD specs, a schema exercising every keyword),
 * and every invalid request carries exactly the one violation it claims, confirmed by the validator.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { toWire } from '../../src/contract/http.js';
import { validRequestArbitrary } from '../../src/contract/requests.js';
import type { ContractRequest, ViolationKind } from '../../src/contract/types.js';
import { applicableKinds, VIOLATION_KINDS, violationsOf } from '../../src/contract/violations.js';
import { loadSpec } from '../../src/openapi/load.js';
import type { Operation, Spec } from '../../src/openapi/types.js';
import { SpecValidator } from '../../src/openapi/validator.js';
import { BUNDLED_SPECS, fixtureFile } from '../helpers/mock.js';

const SEED = 20_251_123;

/** Validator issues for every part of a generated request: each parameter and the JSON body. */
function requestIssues(request: ContractRequest, validator: SpecValidator): string[] {
  const issues: string[] = [];
  const { operation } = request;
  for (const parameter of operation.parameters) {
    const group =
      parameter.in === 'path'
        ? request.pathParams
        : parameter.in === 'query'
          ? request.query
          : parameter.in === 'header'
            ? request.headers
            : undefined;
    if (!group || !parameter.schemaPointer) continue;
    const key = parameter.in === 'header' ? parameter.name.toLowerCase() : parameter.name;
    if (!(key in group)) {
      if (parameter.required) issues.push(`${parameter.in}.${parameter.name} is required but missing`);
      continue;
    }
    for (const issue of validator.validate(parameter.schemaPointer, group[key], 'request'))
      issues.push(`${parameter.in}.${parameter.name} ${issue.message}`);
  }
  const media = operation.requestBody?.content.find((m) => /json/i.test(m.mediaType));
  if (media?.schemaPointer) {
    if (request.body === undefined) issues.push('the JSON body is missing');
    else
      for (const issue of validator.validate(media.schemaPointer, request.body, 'request'))
        issues.push(`body.${issue.path.join('.')} ${issue.message}`);
  }
  return issues;
}

/** Asserts `numRuns` generated requests for the operation are all valid; returns them for coverage checks. */
function assertAllValid(operation: Operation, validator: SpecValidator, numRuns: number): ContractRequest[] {
  const seen: ContractRequest[] = [];
  fc.assert(
    fc.property(validRequestArbitrary(operation), (request) => {
      seen.push(request);
      const issues = requestIssues(request, validator);
      if (issues.length > 0) throw new Error(`${operation.id}: ${issues.join('; ')}\n${JSON.stringify(request.body)}`);
    }),
    { numRuns, seed: SEED },
  );
  return seen;
}

describe('valid requests pass the spec validator', () => {
  const specs: Spec[] = [];
  beforeAll(async () => {
    for (const file of [...BUNDLED_SPECS, fixtureFile('crud-3.0.yaml'), fixtureFile('crud-3.1.yaml')])
      specs.push(await loadSpec(file));
  });

  it('on every bundled and CRUD operation (1,000 requests each)', () => {
    let operations = 0;
    for (const spec of specs) {
      const validator = new SpecValidator(spec);
      for (const operation of spec.operations) {
        assertAllValid(operation, validator, 1000);
        operations++;
      }
    }
    // 3 Feather + 1 Julep + 1 ElizaOS, plus the CRUD specs' operations.
    expect(operations).toBeGreaterThanOrEqual(5 + 2 * 4);
  });

  for (const version of ['3.0', '3.1'] as const) {
    describe(`a schema using every keyword (OpenAPI ${version})`, () => {
      let operation: Operation;
      let validator: SpecValidator;
      let samples: ContractRequest[];
      beforeAll(async () => {
        const spec = await loadSpec(fixtureFile(`keywords-${version}.yaml`));
        expect(spec.version).toBe(version);
        operation = spec.operations[0];
        validator = new SpecValidator(spec);
        samples = assertAllValid(operation, validator, 3000);
      });

      const bodies = () => samples.map((s) => s.body as Record<string, any>);

      it('generates 3,000 valid requests that reach every branch of the schema', () => {
        expect(samples).toHaveLength(3000);
        const all = bodies();
        // oneOf: both shapes; anyOf: both alternatives.
        expect(new Set(all.map((b) => b.shape.type))).toEqual(new Set(['circle', 'square']));
        expect(all.some((b) => typeof b.owner === 'string')).toBe(true);
        expect(all.some((b) => typeof b.owner === 'number')).toBe(true);
        // allOf: both halves' required properties together.
        expect(
          all.filter((b) => b.audit).every((b) => typeof b.audit.by === 'string' && typeof b.audit.at === 'string'),
        ).toBe(true);
        // nullable / type [string, null]: both null and text.
        expect(all.some((b) => b.nickname === null)).toBe(true);
        expect(all.some((b) => typeof b.nickname === 'string')).toBe(true);
        // enum: every value.
        expect(new Set(all.map((b) => b.kind))).toEqual(new Set(['cat', 'dog', 'bird']));
        // Optional properties (those with defaults included) are sometimes left out, sometimes sent.
        expect(all.some((b) => !('count' in b)) && all.some((b) => 'count' in b)).toBe(true);
        expect(all.some((b) => !('active' in b)) && all.some((b) => 'active' in b)).toBe(true);
        // readOnly properties are not sent in requests.
        expect(all.every((b) => !('readonlyId' in b))).toBe(true);
      });

      it('keeps exclusive bounds exclusive and lengths within bounds', () => {
        for (const body of bodies()) {
          expect(body.score).toBeGreaterThan(0);
          expect(body.score).toBeLessThan(1);
          expect(body.name.length).toBeGreaterThanOrEqual(3);
          expect(body.name.length).toBeLessThanOrEqual(12);
          if (body.shape.type === 'circle') expect(body.shape.radius).toBeGreaterThan(0);
        }
        const limits = samples.map((s) => s.query.limit).filter((limit) => limit !== undefined) as number[];
        expect(limits.length).toBeGreaterThan(0);
        expect(Math.max(...limits)).toBeLessThan(50);
      });

      if (version === '3.1') {
        it('sends const values as they are', () => {
          expect(new Set(bodies().map((b) => b.version))).toEqual(new Set([2]));
          expect(bodies().some((b) => b.note === null) && bodies().some((b) => typeof b.note === 'string')).toBe(true);
        });
      }
    });
  }
});

describe('invalid requests carry one known violation', () => {
  /** Violation kinds each bundled operation must be tested with, judged from its spec by hand. */
  const EXPECTED: Record<string, ViolationKind[]> = {
    create_session_v1_ask_feather_sessions_post: ['wrong_type', 'malformed_json', 'wrong_content_type', 'missing_body'],
    send_message_v1_ask_feather_sessions__session_id__messages_post: [
      'missing_required_field',
      'wrong_type',
      'string_too_short',
      'bad_path_parameter',
      'malformed_json',
      'wrong_content_type',
      'missing_body',
    ],
    getOrCreateV2Conversation: [
      'missing_required_field',
      'wrong_type',
      'bad_format',
      'outside_enum',
      'malformed_json',
      'wrong_content_type',
      'missing_body',
    ],
    create_session_sessions_post: [
      'wrong_type',
      'out_of_range_number',
      'bad_format',
      'outside_enum',
      'malformed_json',
      'wrong_content_type',
    ],
    createSession: [
      'missing_required_field',
      'wrong_type',
      'out_of_range_number',
      'bad_format',
      'malformed_json',
      'wrong_content_type',
    ],
  };

  const specs: Spec[] = [];
  /** Per operation id: its validator and the violations 150 valid requests yield. */
  const sampled = new Map<
    string,
    { operation: Operation; validator: SpecValidator; byKind: Map<ViolationKind, Found[]> }
  >();
  beforeAll(async () => {
    const files = [
      ...BUNDLED_SPECS,
      ...['crud-3.0.yaml', 'crud-3.1.yaml', 'keywords-3.0.yaml', 'keywords-3.1.yaml'].map(fixtureFile),
    ];
    for (const file of files) specs.push(await loadSpec(file));
    for (const spec of specs) {
      const validator = new SpecValidator(spec);
      for (const operation of spec.operations)
        sampled.set(`${spec.name} ${operation.id}`, {
          operation,
          validator,
          byKind: violationsByKind(operation, validator, 150),
        });
    }
  });

  interface Found {
    original: ContractRequest;
    variant: ContractRequest;
  }

  /** Every violation a sample of valid requests for the operation yields, by kind, beside the request it came from. */
  function violationsByKind(
    operation: Operation,
    validator: SpecValidator,
    numRuns: number,
  ): Map<ViolationKind, Found[]> {
    const found = new Map<ViolationKind, Found[]>();
    for (const original of fc.sample(validRequestArbitrary(operation), { numRuns, seed: SEED })) {
      for (const kind of applicableKinds(operation)) {
        for (const variant of violationsOf(original, kind, validator)) {
          expect(variant.violation?.kind).toBe(kind);
          found.set(kind, [...(found.get(kind) ?? []), { original, variant }]);
        }
      }
    }
    return found;
  }

  /** A path parameter as a server reads it: text, or a number where the schema wants one and the text is numeric. */
  function asServerReads(text: string, schema: unknown): unknown {
    const types = [(schema as { type?: string | string[] })?.type].flat();
    return /^-?\d+(\.\d+)?$/.test(text) && (types.includes('integer') || types.includes('number'))
      ? Number(text)
      : text;
  }

  /** The body with the value at `path` put back as it was in `original` (or removed if it had none). */
  function restored(body: unknown, original: unknown, path: (string | number)[]): unknown {
    if (path.length === 0) return original;
    const copy = structuredClone(body) as Record<string | number, any>;
    let node = copy;
    let from = original as Record<string | number, any>;
    for (const segment of path.slice(0, -1)) {
      node = node[segment];
      from = from[segment];
    }
    const last = path[path.length - 1];
    if (last in from) node[last] = from[last];
    else delete node[last];
    return copy;
  }

  it('covers the issue list: every kind is produced for some bundled operation', () => {
    const produced = new Set([...sampled.values()].flatMap(({ byKind }) => [...byKind.keys()]));
    // Missing credentials is its own request kind (no-credentials), tested in the runner.
    const required: ViolationKind[] = [
      'missing_required_field',
      'wrong_type',
      'out_of_range_number',
      'string_too_short',
      'bad_format',
      'outside_enum',
      'bad_path_parameter',
      'malformed_json',
      'wrong_content_type',
    ];
    expect([...produced].sort()).toEqual(expect.arrayContaining(required));
    expect(VIOLATION_KINDS).toEqual(expect.arrayContaining(required));
  });

  it('produces, for each bundled operation, the kinds its spec allows', () => {
    const bundled = [...sampled.values()].filter(({ operation }) => BUNDLED_SPECS.includes(operation.spec.file));
    expect(bundled.map(({ operation }) => operation.id).sort()).toEqual(Object.keys(EXPECTED).sort());
    for (const { operation, byKind } of bundled)
      expect([...byKind.keys()], operation.id).toEqual(expect.arrayContaining(EXPECTED[operation.id]));
  });

  it('makes each violation really invalid, and only at the place it names', () => {
    let checked = 0;
    const pathLocations = new Set<string>();
    for (const { operation, validator, byKind } of sampled.values()) {
      const media = operation.requestBody?.content.find((m) => /json/i.test(m.mediaType));
      for (const [kind, found] of byKind) {
        for (const { original, variant } of found) {
          const location = variant.violation!.location;
          if (kind === 'bad_path_parameter') {
            const name = location.replace(/^path\./, '');
            const parameter = operation.parameters.find((p) => p.in === 'path' && p.name === name)!;
            pathLocations.add(`${operation.spec.name}:${location}`);
            const read = asServerReads(String(variant.pathParams[name]), parameter.schema);
            expect(
              validator.validate(parameter.schemaPointer!, read, 'request').length,
              `${operation.id} ${location} = ${JSON.stringify(read)}`,
            ).toBeGreaterThan(0);
            expect({ ...variant.pathParams, [name]: original.pathParams[name] }).toEqual(original.pathParams);
            expect(variant.body).toEqual(original.body);
          } else if (kind === 'malformed_json') {
            expect(() => JSON.parse(variant.rawBody!)).toThrow();
          } else if (kind === 'wrong_content_type') {
            expect(variant.contentType).toBe('text/plain');
            expect(JSON.parse(variant.rawBody!)).toEqual(original.body);
          } else if (kind === 'missing_body') {
            expect(variant.body).toBeUndefined();
            expect(variant.rawBody).toBeUndefined();
          } else {
            expect(
              validator.validate(media!.schemaPointer!, variant.body, 'request').length,
              `${operation.id} ${kind} ${location}`,
            ).toBeGreaterThan(0);
            // Putting back the one value it names makes the body the valid original again.
            const path = location
              .split('.')
              .slice(1)
              .map((segment) => (/^\d+$/.test(segment) ? Number(segment) : segment));
            expect(restored(variant.body, original.body, path), `${kind} at ${location}`).toEqual(original.body);
          }
          // Parameters other than a broken path parameter stay valid.
          if (kind !== 'bad_path_parameter') {
            for (const parameter of operation.parameters.filter((p) => p.in === 'path')) {
              expect(
                validator.validate(parameter.schemaPointer!, variant.pathParams[parameter.name], 'request'),
              ).toEqual([]);
            }
          }
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(500);
    // A uuid, a pattern or a bounded integer can be broken; a plain string id cannot ("-1" is a fine string).
    for (const location of [
      'feather:path.session_id',
      'keywords-3.0:path.thingId',
      'keywords-3.0:path.rev',
      'keywords-3.1:path.rev',
      'crud-3.1:path.notebookId',
    ]) {
      expect(pathLocations, location).toContain(location);
    }
    expect(pathLocations).not.toContain('crud-3.0:path.petId');
    expect(pathLocations).not.toContain('crud-3.1:path.noteId');
  });

  it('breaks bounds by the smallest step: one past the bound, one character short', async () => {
    const spec = await loadSpec(fixtureFile('keywords-3.1.yaml'));
    const validator = new SpecValidator(spec);
    const [request] = fc.sample(validRequestArbitrary(spec.operations[0]), { numRuns: 1, seed: SEED });
    const values = (kind: ViolationKind) =>
      Object.fromEntries(
        violationsOf(request, kind, validator).map((v) => [
          v.violation!.location,
          (v.body as any)[v.violation!.location.split('.')[1]],
        ]),
      );
    expect(values('out_of_range_number')).toMatchObject({ 'body.score': expect.any(Number) });
    expect(values('out_of_range_number')['body.score']).toBeOneOf([0, 1]);
    // Lengths are cut from (or padded onto) the valid value, so a pattern it matched still holds where it can.
    const name = (request.body as { name: string }).name;
    expect(values('string_too_short')).toMatchObject({ 'body.name': name.slice(0, 2) });
    expect(values('string_too_long')).toMatchObject({ 'body.name': (name + 'x'.repeat(13)).slice(0, 13) });
    // A near miss: one letter in another case, not an arbitrary word.
    const kind = (request.body as { kind: string }).kind;
    expect(['Cat', 'Dog', 'Bird']).toContain(values('outside_enum')['body.kind']);
    expect(['cat', 'dog', 'bird']).toContain(kind);
    expect(values('missing_required_field')).toHaveProperty(['body.id']);
  });
});

describe('requests without credentials', () => {
  it('leave out exactly the credentials each secured operation declares, and nothing else', async () => {
    let secured = 0;
    for (const file of BUNDLED_SPECS) {
      const spec = await loadSpec(file);
      for (const operation of spec.operations.filter((op) => op.security.length > 0)) {
        const [request] = fc.sample(validRequestArbitrary(operation), { numRuns: 1, seed: SEED });
        const base = new URL('http://127.0.0.1:1');
        const withKey = toWire(request, base, { apiKey: 'secret-key' });
        const without = toWire({ ...request, withoutCredentials: true }, base, { apiKey: 'secret-key' });
        const credentialHeaders = Object.keys(withKey.headers).filter((name) => !(name in without.headers));
        expect(credentialHeaders.length, operation.id).toBeGreaterThan(0);
        for (const name of credentialHeaders) expect(withKey.headers[name]).toContain('secret-key');
        expect(JSON.stringify(without)).not.toContain('secret-key');
        expect({ ...without, headers: undefined }).toEqual({ ...withKey, headers: undefined });
        secured++;
      }
    }
    // Feather's three operations and Julep's one declare security; ElizaOS's does not.
    expect(secured).toBe(4);
  });
});
