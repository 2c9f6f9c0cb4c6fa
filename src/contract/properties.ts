/**
 * Pieces of stateful properties that bundled and generic contracts share: is an answer in its
 * documented shape, does a created resource echo what was sent, do creates give distinct ids.
 */
import type fc from 'fast-check';
import { isPlainObject } from '../openapi/json-value.js';
import { documentedResponse } from '../openapi/responses.js';
import type { JsonSchema } from '../openapi/types.js';
import { fail, jsonOf, type ContractSession, type Sequence, type SequenceOutcome } from './api-contract.js';
import type { ContractRequest, Exchange } from './types.js';

/** Why an answer is not the documented one for its status (undefined when it is). */
export function undocumentedAnswer(exchange: Exchange, status: number): string | undefined {
  const { response, request, validator } = exchange;
  if (!response) return exchange.transportError ?? 'no response';
  if (response.status !== status) return `answered ${response.status}: ${response.text.slice(0, 120)}`;
  const media = documentedResponse(request.operation, status)?.content.find((m) => /json/i.test(m.mediaType));
  if (!media?.schemaPointer) return undefined;
  const issues = validator.validate(media.schemaPointer, response.json, 'response');
  if (issues.length === 0) return undefined;
  return `the ${status} body is not the documented shape: ${issues
    .slice(0, 2)
    .map((i) => `${i.path.join('.') || '(root)'} ${i.message}`)
    .join('; ')}`;
}

/** Expects `status` in the operation's documented shape for it. */
export function expectAnswer(exchange: Exchange, status: number, what: string): SequenceOutcome {
  const problem = undocumentedAnswer(exchange, status);
  if (problem === undefined) return { ok: true };
  const shape = documentedResponse(exchange.request.operation, status)?.content.length
    ? ` in the documented ${status} shape`
    : '';
  return fail(exchange, `${what} ${problem}`, `${status}${shape}`);
}

type Schema = Record<string, any>;

/**
 * Whether the documented answer schema admits `value` in top-level `field` of the answer actually
 * given: a value it refuses (a request schema wider than the answer's) is one no server can echo.
 */
export function answerAdmits(exchange: Exchange): (field: string, value: unknown) => boolean {
  const { response, request, validator } = exchange;
  const media =
    response && documentedResponse(request.operation, response.status)?.content.find((m) => /json/i.test(m.mediaType));
  const answer = response?.json;
  if (!media?.schemaPointer || !isPlainObject(answer)) return () => true;
  const pointer = media.schemaPointer;
  return (field, value) =>
    !validator
      .validate(pointer, { ...answer, [field]: value }, 'response')
      .some((issue) => issue.path.length > 0 && String(issue.path[0]) === field);
}

/**
 * The first field of `expected` (what was sent, with documented defaults) that `actual` does not
 * echo. A field left out of the answer is accepted only where the response schema allows its
 * absence (not required) and the value sent was null: absent and null mean the same there. A
 * value `admits` says the answer cannot hold is not expected back.
 */
export function echoMismatch(
  responseSchema: JsonSchema | undefined,
  expected: Record<string, unknown>,
  actual: unknown,
  admits: (field: string, value: unknown) => boolean = () => true,
): { field: string; message: string; expected: string } | undefined {
  const { properties, required } = objectShape(responseSchema);
  const answer = isPlainObject(actual) ? actual : {};
  for (const [field, property] of properties) {
    if (!Object.hasOwn(expected, field) || property.writeOnly === true) continue;
    const want = expected[field];
    if (!admits(field, want)) continue;
    if (!Object.hasOwn(answer, field)) {
      if (want === null && !required.has(field)) continue;
      return {
        field,
        message: `${field} is missing from the answer`,
        expected: `${JSON.stringify(want)} (sent or documented default)`,
      };
    }
    if (!sameJson(answer[field], want)) {
      return {
        field,
        message: `${field} is ${JSON.stringify(answer[field])?.slice(0, 120)}`,
        expected: `${JSON.stringify(want)?.slice(0, 120)} (sent or documented default)`,
      };
    }
  }
  return undefined;
}

/** The properties and required names of an object schema, through allOf. */
export function objectShape(
  schema: JsonSchema | undefined,
  depth = 0,
): { properties: Map<string, Schema>; required: Set<string> } {
  const shape = { properties: new Map<string, Schema>(), required: new Set<string>() };
  if (!isPlainObject(schema) || depth > 8) return shape;
  for (const [name, property] of Object.entries<Schema>((schema.properties ?? {}) as Record<string, Schema>))
    shape.properties.set(name, isPlainObject(property) ? property : {});
  for (const name of Array.isArray(schema.required) ? schema.required : []) shape.required.add(name);
  for (const part of Array.isArray(schema.allOf) ? schema.allOf : []) {
    const inner = objectShape(part, depth + 1);
    for (const [name, property] of inner.properties)
      if (!shape.properties.has(name)) shape.properties.set(name, property);
    for (const name of inner.required) shape.required.add(name);
  }
  return shape;
}

/** Deep equality of JSON values; object key order does not matter. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((key) => sameJson((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
}

export interface DistinctCreates<Input> {
  name: string;
  /** "METHOD /path" of the create. */
  operation: string;
  /** The field of the created resource holding its id. */
  idField: string;
  status: number;
  input(session: ContractSession): fc.Arbitrary<Input>;
  request(session: ContractSession, input: Input): ContractRequest | Promise<ContractRequest>;
}

/** The same create sent twice (or more) gives as many resources, each with its own id. */
export function identicalCreatesAreDistinct<Input>(spec: DistinctCreates<Input>): Sequence<Input> {
  return {
    name: spec.name,
    description: 'identical creates give distinct resources (unique ids)',
    operations: [spec.operation],
    input: spec.input,
    async run(session, input) {
      const request = await spec.request(session, input);
      const seen = new Map<unknown, number>();
      for (let attempt = 1; attempt <= 3; attempt++) {
        const created = await session.send(request);
        const outcome = expectAnswer(
          created,
          spec.status,
          attempt === 1 ? 'the create' : 'the repeated identical create',
        );
        if (!outcome.ok) return outcome;
        const id = jsonOf(created)?.[spec.idField];
        if (id === undefined || id === null)
          return fail(created, `the created resource has no ${spec.idField}`, `a ${spec.idField}`);
        const earlier = seen.get(JSON.stringify(id));
        if (earlier !== undefined) {
          return fail(
            created,
            `create #${attempt} returned ${spec.idField} ${JSON.stringify(id)}, already given to create #${earlier}`,
            `a new ${spec.idField} for every create`,
          );
        }
        seen.set(JSON.stringify(id), attempt);
      }
      return { ok: true };
    },
  };
}
