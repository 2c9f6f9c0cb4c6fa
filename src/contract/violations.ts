/**
 * Invalid requests with exactly one known violation each. Every body mutation is confirmed invalid
 * by the spec's own validator before it is sent, so the expected rejection is certain.
 */
import type { Operation } from '../openapi/types.js';
import type { SpecValidator } from '../openapi/validator.js';
import { jsonBodyOf } from './requests.js';
import { applyProbe, mayHaveProbes, probesOf, type Probe } from './constraints.js';
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

/**
 * Every single-violation variant of a valid request for one kind, each confirmed invalid by the
 * spec's validator. Empty when the operation offers nothing to break that way.
 */
export function violationsOf(
  request: ContractRequest,
  kind: ViolationKind,
  validator: SpecValidator,
): ContractRequest[] {
  const { operation } = request;
  const media = jsonBodyOf(operation);
  switch (kind) {
    case 'malformed_json':
      return media && request.body !== undefined
        ? [
            {
              ...request,
              body: undefined,
              rawBody: truncatedJson(request.body),
              violation: { kind, location: 'body', description: 'the body is cut off mid-JSON' },
            },
          ]
        : [];
    case 'wrong_content_type':
      return media &&
        request.body !== undefined &&
        !operation.requestBody!.content.some((m) => m.mediaType === 'text/plain')
        ? [
            {
              ...request,
              body: undefined,
              rawBody: JSON.stringify(request.body),
              contentType: 'text/plain',
              violation: { kind, location: 'header.content-type', description: 'a JSON body sent as text/plain' },
            },
          ]
        : [];
    case 'missing_body':
      return operation.requestBody?.required && request.body !== undefined
        ? [
            {
              ...request,
              body: undefined,
              violation: { kind, location: 'body', description: 'the required body is left out' },
            },
          ]
        : [];
    case 'bad_path_parameter':
      return pathViolations(request, validator);
    default: {
      if (!media?.schemaPointer || request.body === undefined) return [];
      const pointer = media.schemaPointer;
      return probesOf(media.schema, request.body, 'body', 'request', kind)
        .map((probe) => ({ probe, body: applyProbe(request.body, probe.path, probe.value) }))
        .filter(({ body }) => !validator.accepts(pointer, body, 'request'))
        .map(({ probe, body }) => bodyVariant(request, kind, probe, body));
    }
  }
}

/**
 * One single-violation variant of a valid request for one kind, chosen by `pick` among the
 * candidates (the fuzz phase's draw), or undefined when there is none. Body probes are confirmed
 * invalid one at a time from the picked one on, rather than all of them for every request: the
 * first confirmed from there is the variant.
 */
export function violationOf(
  request: ContractRequest,
  kind: ViolationKind,
  validator: SpecValidator,
  pick: number,
): ContractRequest | undefined {
  const media = jsonBodyOf(request.operation);
  if (!isBodyProbeKind(kind) || !media?.schemaPointer || request.body === undefined) {
    const variants = violationsOf(request, kind, validator);
    return variants.length === 0 ? undefined : variants[pick % variants.length];
  }
  const candidates = probesOf(media.schema as Record<string, unknown>, request.body, 'body', 'request', kind);
  for (let tried = 0; tried < candidates.length; tried++) {
    const probe = candidates[(pick + tried) % candidates.length];
    const body = applyProbe(request.body, probe.path, probe.value);
    if (!validator.accepts(media.schemaPointer, body, 'request')) return bodyVariant(request, kind, probe, body);
  }
  return undefined;
}

/**
 * False when no request of the operation can carry a violation of a kind made by probing the body:
 * its body schema has no keyword that kind starts from. True for every other kind.
 */
export function canCarry(operation: Operation, kind: ViolationKind): boolean {
  if (!isBodyProbeKind(kind)) return true;
  const media = jsonBodyOf(operation);
  return media?.schemaPointer !== undefined && mayHaveProbes(media.schema, kind);
}

/** The kinds made by probing the body's schema (the others have their own construction above). */
const OWN_CONSTRUCTION: ReadonlySet<ViolationKind> = new Set([
  'malformed_json',
  'wrong_content_type',
  'missing_body',
  'bad_path_parameter',
]);
function isBodyProbeKind(kind: ViolationKind): boolean {
  return !OWN_CONSTRUCTION.has(kind);
}

function bodyVariant(request: ContractRequest, kind: ViolationKind, probe: Probe, body: unknown): ContractRequest {
  return {
    ...request,
    body,
    violation: { kind, location: ['body', ...probe.path].join('.'), description: probe.description },
  };
}

function pathViolations(request: ContractRequest, validator: SpecValidator): ContractRequest[] {
  const out: ContractRequest[] = [];
  for (const parameter of request.operation.parameters) {
    if (parameter.in !== 'path' || !parameter.schemaPointer) continue;
    for (const bad of ['not-a-valid-value', '-1', '0.5']) {
      // Path text reaches a server as a string, or as a number where the schema wants one:
      // "-1" is a fine string id, so it is bad only if neither reading passes.
      const readings: unknown[] = /^-?\d+(\.\d+)?$/.test(bad) ? [bad, Number(bad)] : [bad];
      if (readings.some((reading) => validator.accepts(parameter.schemaPointer!, reading, 'request'))) continue;
      out.push({
        ...request,
        pathParams: { ...request.pathParams, [parameter.name]: bad },
        violation: {
          kind: 'bad_path_parameter',
          location: `path.${parameter.name}`,
          description: `path parameter ${parameter.name} = "${bad}" breaks its schema`,
        },
      });
      break;
    }
  }
  return out;
}

const OPENS_CONTAINER_OR_STRING = new Set(['{', '[', '"']);

function truncatedJson(body: unknown): string {
  const text = JSON.stringify(body);
  const cut = text.slice(0, Math.max(1, Math.floor(text.length / 2)));
  // A short scalar can still parse when halved ("1234" → "12"): make sure it cannot. A halved object,
  // array or string never parses (its closing character is gone), so only scalars need the (throwing) try.
  return !OPENS_CONTAINER_OR_STRING.has(text.charAt(0)) && isJson(cut) ? `${cut}{` : cut;
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
