/**
 * Invalid requests with exactly one known violation each. Every body mutation is confirmed invalid
 * by the spec's own validator before it is sent, so the expected rejection is certain.
 */
import type { Operation } from '../spec/types.js';
import type { SpecValidator } from '../spec/validator.js';
import { jsonBodyOf } from './requests.js';
import type { ContractRequest, ViolationKind } from './types.js';

export const VIOLATION_KINDS: readonly ViolationKind[] = [
  'missing_required_field',
  'wrong_type',
  'out_of_range_number',
  'string_too_short',
  'string_too_long',
  'bad_format',
  'outside_enum',
  'bad_path_parameter',
  'malformed_json',
  'wrong_content_type',
  'missing_body',
];

const REMOVE = Symbol('remove');
type Segment = string | number;

interface BodyEdit {
  kind: ViolationKind;
  path: Segment[];
  value: unknown;
  description: string;
}

type Schema = Record<string, any>;

/** One sample value of each JSON type, to put where the schema wants another. */
const SAMPLES: [string, unknown][] = [
  ['string', 'not-the-right-type'],
  ['integer', 12345],
  ['number', 1.5],
  ['boolean', true],
  ['object', { unexpected: true }],
  ['array', ['unexpected']],
  ['null', null],
];

function branches(schema: Schema): Schema[] {
  const union = schema.anyOf ?? schema.oneOf;
  if (Array.isArray(union)) return union.flatMap((b: Schema) => (b && typeof b === 'object' ? branches(b) : []));
  if (Array.isArray(schema.allOf)) return [schema, ...schema.allOf.flatMap((b: Schema) => (b && typeof b === 'object' ? branches(b) : []))];
  return [schema];
}

function allowedTypes(schema: Schema): Set<string> {
  const types = new Set<string>();
  for (const branch of branches(schema)) {
    const declared: string[] = Array.isArray(branch.type) ? branch.type : branch.type ? [branch.type] : [];
    if (declared.length === 0 && !branch.properties && !branch.items) return new Set(SAMPLES.map(([t]) => t));
    for (const t of declared) types.add(t);
    if (branch.properties) types.add('object');
    if (branch.nullable === true) types.add('null');
    if (types.has('number')) types.add('integer');
  }
  return types;
}

/** Candidate edits at one node: a wrong type, a broken bound, a bad format, a value outside an enum. */
function editsAt(schema: Schema, path: Segment[]): BodyEdit[] {
  const where = path.join('.') || 'body';
  const edits: BodyEdit[] = [];
  const types = allowedTypes(schema);
  for (const [type, sample] of SAMPLES) {
    if (!types.has(type)) {
      edits.push({ kind: 'wrong_type', path, value: sample, description: `${where} set to ${JSON.stringify(sample)} (${type}); expects ${[...types].join(' or ')}` });
      break;
    }
  }
  for (const branch of branches(schema)) {
    const { minimum, maximum, exclusiveMinimum, exclusiveMaximum, minLength, maxLength, format } = branch;
    const add = (kind: ViolationKind, value: unknown, why: string) => edits.push({ kind, path, value, description: `${where} = ${JSON.stringify(value)?.slice(0, 40)}: ${why}` });
    if (typeof maximum === 'number') add('out_of_range_number', maximum + 1, `above maximum ${maximum}`);
    if (typeof minimum === 'number') add('out_of_range_number', minimum - 1, `below minimum ${minimum}`);
    if (typeof exclusiveMaximum === 'number') add('out_of_range_number', exclusiveMaximum, `not below exclusiveMaximum ${exclusiveMaximum}`);
    if (typeof exclusiveMinimum === 'number') add('out_of_range_number', exclusiveMinimum, `not above exclusiveMinimum ${exclusiveMinimum}`);
    if (typeof minLength === 'number' && minLength > 0) add('string_too_short', 'x'.repeat(minLength - 1), `shorter than minLength ${minLength}`);
    if (typeof maxLength === 'number') add('string_too_long', 'x'.repeat(maxLength + 1), `longer than maxLength ${maxLength}`);
    if (typeof format === 'string' && branch.type !== 'integer' && branch.type !== 'number') add('bad_format', `not-a-valid-${format}`, `not a valid ${format}`);
    if (Array.isArray(branch.enum) || branch.const !== undefined) add('outside_enum', 'not-one-of-the-allowed-values', 'outside the allowed values');
  }
  return edits;
}

/** Walks a valid body beside its schema, collecting candidate edits at every node it reaches. */
function collectEdits(schema: Schema | undefined, value: unknown, path: Segment[], out: BodyEdit[], depth = 0): void {
  if (!schema || typeof schema !== 'object' || depth > 8) return;
  if (path.length > 0) out.push(...editsAt(schema, path));
  if (value === null || typeof value !== 'object') return;
  for (const branch of branches(schema)) {
    if (Array.isArray(value)) {
      if (branch.items && value.length > 0) collectEdits(branch.items, value[0], [...path, 0], out, depth + 1);
      continue;
    }
    for (const name of Array.isArray(branch.required) ? branch.required : []) {
      if (name in (value as object)) {
        out.push({ kind: 'missing_required_field', path: [...path, name], value: REMOVE, description: `required ${[...path, name].join('.')} left out` });
      }
    }
    for (const [name, property] of Object.entries<Schema>(branch.properties ?? {})) {
      if (name in (value as object)) collectEdits(property, (value as Record<string, unknown>)[name], [...path, name], out, depth + 1);
    }
  }
}

function applyEdit(body: unknown, edit: BodyEdit): unknown {
  if (edit.path.length === 0) return edit.value;
  const copy = structuredClone(body) as Record<Segment, unknown>;
  let node = copy;
  for (const segment of edit.path.slice(0, -1)) node = node[segment] as Record<Segment, unknown>;
  const last = edit.path[edit.path.length - 1];
  if (edit.value === REMOVE) delete node[last];
  else node[last] = edit.value;
  return copy;
}

/**
 * Every single-violation variant of a valid request for one kind, each confirmed invalid by the
 * spec's validator. Empty when the operation offers nothing to break that way.
 */
export function violationsOf(request: ContractRequest, kind: ViolationKind, validator: SpecValidator): ContractRequest[] {
  const { operation } = request;
  const media = jsonBodyOf(operation);
  switch (kind) {
    case 'malformed_json':
      return media && request.body !== undefined
        ? [{ ...request, body: undefined, rawBody: truncatedJson(request.body), violation: { kind, location: 'body', description: 'the body is cut off mid-JSON' } }]
        : [];
    case 'wrong_content_type':
      return media && request.body !== undefined && !operation.requestBody!.content.some((m) => m.mediaType === 'text/plain')
        ? [{ ...request, body: undefined, rawBody: JSON.stringify(request.body), contentType: 'text/plain', violation: { kind, location: 'header.content-type', description: 'a JSON body sent as text/plain' } }]
        : [];
    case 'missing_body':
      return operation.requestBody?.required && request.body !== undefined
        ? [{ ...request, body: undefined, violation: { kind, location: 'body', description: 'the required body is left out' } }]
        : [];
    case 'bad_path_parameter':
      return pathViolations(request, validator);
    default: {
      if (!media?.schemaPointer || request.body === undefined) return [];
      const edits: BodyEdit[] = [];
      collectEdits(media.schema as Schema, request.body, [], edits);
      const pointer = media.schemaPointer;
      return edits
        .filter((edit) => edit.kind === kind)
        .map((edit) => ({ edit, body: applyEdit(request.body, edit) }))
        .filter(({ body }) => validator.validate(pointer, body, 'request').length > 0)
        .map(({ edit, body }) => ({ ...request, body, violation: { kind, location: ['body', ...edit.path].join('.'), description: edit.description } }));
    }
  }
}

function pathViolations(request: ContractRequest, validator: SpecValidator): ContractRequest[] {
  const out: ContractRequest[] = [];
  for (const parameter of request.operation.parameters) {
    if (parameter.in !== 'path' || !parameter.schemaPointer) continue;
    for (const bad of ['not-a-valid-value', '-1', '0.5']) {
      // Path text reaches a server as a string, or as a number where the schema wants one:
      // "-1" is a fine string id, so it is bad only if neither reading passes.
      const readings: unknown[] = /^-?\d+(\.\d+)?$/.test(bad) ? [bad, Number(bad)] : [bad];
      if (readings.some((reading) => validator.validate(parameter.schemaPointer!, reading, 'request').length === 0)) continue;
      out.push({
        ...request,
        pathParams: { ...request.pathParams, [parameter.name]: bad },
        violation: { kind: 'bad_path_parameter', location: `path.${parameter.name}`, description: `path parameter ${parameter.name} = "${bad}" breaks its schema` },
      });
      break;
    }
  }
  return out;
}

function truncatedJson(body: unknown): string {
  const text = JSON.stringify(body);
  const cut = text.slice(0, Math.max(1, Math.floor(text.length / 2)));
  // A short scalar can still parse when halved ("1234" → "12"): make sure it cannot.
  return isJson(cut) ? `${cut}{` : cut;
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Which kinds an operation can be tested with at all (from a sample of valid requests). */
export function applicableKinds(operation: Operation): ViolationKind[] {
  const hasBody = Boolean(jsonBodyOf(operation));
  return VIOLATION_KINDS.filter((kind) => {
    if (kind === 'bad_path_parameter') return operation.parameters.some((p) => p.in === 'path');
    if (kind === 'missing_body') return Boolean(operation.requestBody?.required);
    return hasBody;
  });
}
