/**
 * The coverage phase's plan for one operation: a deterministic valid request, every probe of every
 * constraint in its parameters and body (from the one schema walk in constraints.ts), each confirmed
 * valid or invalid by the spec's validator as the server will read it, deduplicated, and ordered so
 * a budget cut still reaches every constraint once before any twice.
 */
import fc from 'fast-check';
import { exampleFromSchema } from '../openapi/example.js';
import { parameterFromText, readFormBody } from '../openapi/form-coercion.js';
import type { MediaType, Operation, Parameter } from '../openapi/types.js';
import type { SpecValidator } from '../openapi/validator.js';
import { applyProbe, probesOf, REMOVE, type Probe } from './constraints.js';
import { bodyEncodingOf } from '../openapi/media-type.js';
import { encodeBody } from './body-encoding.js';
import { bodyMediaOf, validRequestArbitrary } from './requests.js';
import type { ContractRequest, RequestKind } from './types.js';

export interface PlannedProbe {
  constraint: string;
  kind: Extract<RequestKind, 'valid' | 'invalid'>;
  /** "body" or "<in>.<name>" of a parameter, and the path below it. */
  root: string;
  path: Probe['path'];
  value: unknown;
  request: ContractRequest;
}

export interface ProbePlan {
  probes: PlannedProbe[];
  /** Every constraint id enumerated, in walk order (also those whose every probe was dropped). */
  constraints: string[];
  /** The sides each constraint has probes for (a type has only an invalid side, a bound both). */
  sides: Map<string, Set<PlannedProbe['kind']>>;
}

type Group = 'pathParams' | 'query' | 'headers';
const GROUP: Record<Exclude<Parameter['in'], 'cookie'>, Group> = {
  path: 'pathParams',
  query: 'query',
  header: 'headers',
};
const keyOf = (parameter: Parameter) => (parameter.in === 'header' ? parameter.name.toLowerCase() : parameter.name);

/** A deterministic valid request: each part an example from its schema, or a generated value where the example does not validate. */
export function baseRequest(operation: Operation, validator: SpecValidator, seed: number): ContractRequest {
  let generated: ContractRequest | undefined;
  const fallback = () => (generated ??= fc.sample(validRequestArbitrary(operation), { numRuns: 1, seed })[0]);
  const request: ContractRequest = { operation, pathParams: {}, query: {}, headers: {} };
  for (const parameter of operation.parameters) {
    if (parameter.in === 'cookie' || !parameter.schemaPointer) continue;
    const group = GROUP[parameter.in];
    const key = keyOf(parameter);
    const example = exampleFromSchema(parameter.schema, { direction: 'request' });
    const usable =
      isScalar(example) &&
      validator.validate(parameter.schemaPointer, parameterFromText(textOf(example), parameter.schema), 'request')
        .length === 0;
    const value = usable ? example : fallback()[group][key];
    if (value !== undefined) request[group][key] = parameter.in === 'header' ? textOf(value) : value;
  }
  // The body in the media type generated requests use (JSON where documented, else a form...).
  const media = bodyMediaOf(operation);
  if (media?.schemaPointer) {
    const example = exampleFromSchema(media.schema, { direction: 'request' });
    const usable = validator.validate(media.schemaPointer, bodyAsServerReads(media, example), 'request').length === 0;
    request.body = usable ? example : fallback().body;
    if (bodyEncodingOf(media.mediaType) !== 'json') request.contentType = media.mediaType;
  }
  return request;
}

/** Every confirmed probe of the operation, around a valid (prepared) request. */
export function planProbes(base: ContractRequest, validator: SpecValidator): ProbePlan {
  const { operation } = base;
  const constraints: string[] = [];
  const sides = new Map<string, Set<PlannedProbe['kind']>>();
  const seen = new Set<string>();
  const byConstraint = new Map<string, PlannedProbe[]>();
  const keep = (probe: PlannedProbe, identity: string) => {
    const key = `${probe.root}\u0000${identity}`;
    if (seen.has(key)) return;
    seen.add(key);
    byConstraint.get(probe.constraint)?.push(probe) ?? byConstraint.set(probe.constraint, [probe]);
  };
  const note = (constraint: string, side: PlannedProbe['kind']) => {
    if (!sides.has(constraint)) {
      constraints.push(constraint);
      sides.set(constraint, new Set());
    }
    sides.get(constraint)!.add(side);
  };

  for (const parameter of operation.parameters) {
    if (parameter.in === 'cookie' || !parameter.schemaPointer) continue;
    const pointer = parameter.schemaPointer;
    const group = GROUP[parameter.in];
    const key = keyOf(parameter);
    const root = `${parameter.in}.${parameter.name}`;
    const current = base[group][key];
    const withValue = (value: unknown): ContractRequest => {
      const values = { ...base[group] };
      if (value === REMOVE) delete values[key];
      else values[key] = parameter.in === 'header' ? textOf(value) : value;
      return { ...base, [group]: values };
    };
    // A path parameter cannot be left out (the URL would name another route); a query or header one can.
    if (parameter.required && parameter.in !== 'path') {
      note(`${root} required`, 'invalid');
      keep(
        { constraint: `${root} required`, kind: 'invalid', root, path: [], value: REMOVE, request: withValue(REMOVE) },
        'required',
      );
    }
    if (!isScalar(current)) continue;
    for (const probe of probesOf(parameter.schema, current, root)) {
      // Another valid path value names another resource: only invalid ones are sent there.
      if (parameter.in === 'path' && probe.expect === 'valid') continue;
      note(probe.constraint, probe.expect);
      if (probe.path.length > 0 || !isScalar(probe.value)) continue;
      const text = textOf(probe.value);
      if (parameter.in === 'path' && (text === '' || text === '.' || text === '..')) continue;
      // Parameters travel as text: judge the value as the server will read it back.
      const valid = validator.validate(pointer, parameterFromText(text, parameter.schema), 'request').length === 0;
      if (valid !== (probe.expect === 'valid')) continue;
      const violation =
        probe.expect === 'invalid' && probe.kind
          ? { violation: { kind: probe.kind, location: root, description: probe.description } }
          : {};
      keep(
        {
          constraint: probe.constraint,
          kind: probe.expect,
          root,
          path: [],
          value: probe.value,
          request: { ...withValue(probe.value), ...violation },
        },
        probe.identity,
      );
    }
  }

  // Body probes go in JSON and form bodies, judged as the server reads them back (a form carries
  // text: a number sent where a string is wanted arrives as a string, and that probe is dropped).
  const media = bodyMediaOf(operation);
  const encoding = media && bodyEncodingOf(media.mediaType);
  if (media?.schemaPointer && base.body !== undefined && (encoding === 'json' || encoding === 'form')) {
    const pointer = media.schemaPointer;
    for (const probe of probesOf(media.schema, base.body, 'body')) {
      note(probe.constraint, probe.expect);
      const body = applyProbe(base.body, probe.path, probe.value);
      const valid = validator.validate(pointer, bodyAsServerReads(media, body), 'request').length === 0;
      if (valid !== (probe.expect === 'valid')) continue;
      const violation =
        probe.expect === 'invalid' && probe.kind
          ? {
              violation: {
                kind: probe.kind,
                location: ['body', ...probe.path].join('.'),
                description: probe.description,
              },
            }
          : {};
      keep(
        {
          constraint: probe.constraint,
          kind: probe.expect,
          root: 'body',
          path: probe.path,
          value: probe.value,
          request: { ...base, body, ...violation },
        },
        probe.identity,
      );
    }
  }
  return { probes: roundRobin([...byConstraint.values()]), constraints, sides };
}

/** The first probe of every constraint, then the second of each, and so on. */
function roundRobin(groups: PlannedProbe[][]): PlannedProbe[] {
  const out: PlannedProbe[] = [];
  for (let round = 0; out.length < groups.reduce((n, g) => n + g.length, 0); round++) {
    for (const group of groups) if (round < group.length) out.push(group[round]);
  }
  return out;
}

/** A body as the server reads it back: a form's fields arrive as text and are read to their schema's types. */
function bodyAsServerReads(media: MediaType, body: unknown): unknown {
  return bodyEncodingOf(media.mediaType) === 'form'
    ? readFormBody(encodeBody(body, media.mediaType).text, media.schema)
    : body;
}

function isScalar(value: unknown): boolean {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}

function textOf(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}
