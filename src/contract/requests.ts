/** Valid requests for an operation, generated from its parameter and body schemas. */
import fc from 'fast-check';
import { schemaArbitrary } from '../openapi/arbitrary.js';
import { bodyEncodingOf } from '../openapi/media-type.js';
import type { HttpMethod, Operation, Parameter, Spec } from '../openapi/types.js';
import { encodeBody } from './body-encoding.js';
import { headerText } from './parameter-style.js';
import type { ContractRequest } from './types.js';

/** The JSON media type of an operation's request body, if it takes one. */
export function jsonBodyOf(operation: Operation) {
  return operation.requestBody?.content.find((media) => /json/i.test(media.mediaType));
}

/** The media type generated bodies are sent as: JSON where documented, else a form, multipart, then the first. */
export function bodyMediaOf(operation: Operation) {
  const content = operation.requestBody?.content ?? [];
  const ranked = (['json', 'form', 'multipart', 'text'] as const).map((encoding) =>
    content.find((media) => bodyEncodingOf(media.mediaType) === encoding),
  );
  return ranked.find((media) => media !== undefined) ?? content[0];
}

/** A path segment value that survives the trip through a URL unchanged. */
function pathSafe(value: unknown): boolean {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text !== '' && text !== '.' && text !== '..';
}

/** Text that reaches the server as sent in a query string or header: printable ASCII, and no delimiter inside an item. */
const PLAIN_TEXT = /^[\x20-\x7e]*$/;
const readsBack = (value: unknown): boolean =>
  value !== null && typeof value !== 'object' && (typeof value !== 'string' || PLAIN_TEXT.test(value));
const readsBackAsItem = (value: unknown): boolean =>
  readsBack(value) && (typeof value !== 'string' || (value !== '' && !/[,|\s[\]=]/.test(value)));

/**
 * Values that serialise per the parameter's style and read back as generated. Arrays and objects
 * are sent (issue #9: discarding every one of them made the generator spin forever).
 */
function parameterArbitrary(parameter: Parameter): fc.Arbitrary<unknown> {
  if (parameter.in === 'path')
    return schemaArbitrary(parameter.schema, { direction: 'request', maxDepth: 2 }).filter(pathSafe);
  const value = schemaArbitrary(parameter.schema, { direction: 'request', maxDepth: 2, text: 'ascii' });
  return value.filter((v) => {
    if (Array.isArray(v)) return (v.length > 0 || !parameter.required) && v.every(readsBackAsItem);
    // An empty object puts nothing on the wire: absent, as a required parameter must not be.
    if (v !== null && typeof v === 'object')
      return (
        (Object.keys(v).length > 0 || !parameter.required) &&
        Object.values(v).every(readsBackAsItem) &&
        Object.keys(v).every((key) => readsBackAsItem(key))
      );
    return readsBack(v);
  });
}

/** Cookie parameters travel in one Cookie header, each value percent-encoded. */
function withCookies(headers: Record<string, string>, cookies: Record<string, unknown>): Record<string, string> {
  // Style form without explode, the only one a Cookie header can carry: arrays and objects comma-joined.
  const pairs = Object.entries(cookies).map(
    ([name, value]) => `${name}=${encodeURIComponent(headerText({ explode: false }, value))}`,
  );
  return pairs.length === 0 ? headers : { ...headers, cookie: pairs.join('; ') };
}

export function validRequestArbitrary(operation: Operation): fc.Arbitrary<ContractRequest> {
  const groups = { path: {}, query: {}, header: {}, cookie: {} } as Record<
    Parameter['in'],
    Record<string, fc.Arbitrary<unknown>>
  >;
  const required = { path: [] as string[], query: [] as string[], header: [] as string[], cookie: [] as string[] };
  for (const parameter of operation.parameters) {
    groups[parameter.in][parameter.name] = parameterArbitrary(parameter);
    if (parameter.required) required[parameter.in].push(parameter.name);
  }
  const record = (group: Parameter['in']) => fc.record(groups[group], { requiredKeys: required[group] });
  const media = bodyMediaOf(operation);
  const contentType = media && bodyEncodingOf(media.mediaType) !== 'json' ? media.mediaType : undefined;
  // JSON carries any text exactly; forms and plain text do not (a leading BOM is dropped, NUL cut): printable ASCII there.
  const built = media
    ? schemaArbitrary(media.schema ?? {}, {
        direction: 'request',
        text: contentType ? 'ascii' : 'any',
        nonEmpty: bodyEncodingOf(media.mediaType) === 'form',
      })
    : fc.constant(undefined);
  // A required body of no bytes (an empty binary or text body, an empty form) reads as no body at all.
  const body: fc.Arbitrary<unknown> =
    media && contentType && operation.requestBody?.required
      ? built.filter((value) => encodeBody(value, media.mediaType).text !== '')
      : built;
  return fc
    .record({ path: record('path'), query: record('query'), header: record('header'), cookie: record('cookie'), body })
    .map(
      ({ path, query, header, cookie, body: value }): ContractRequest => ({
        operation,
        pathParams: path,
        query,
        headers: withCookies(
          Object.fromEntries(
            Object.entries(header).map(([name, v]) => [
              name.toLowerCase(),
              headerText(parameterNamed(operation, 'header', name), v),
            ]),
          ),
          cookie,
        ),
        body: value,
        ...(contentType ? { contentType } : {}),
      }),
    );
}

function parameterNamed(operation: Operation, location: Parameter['in'], name: string): Parameter {
  return operation.parameters.find((p) => p.in === location && p.name === name)!;
}

/** A method the operation's path does not document (PATCH first: the least likely to change anything if wrongly served). */
export function undocumentedMethod(spec: Spec, operation: Operation): HttpMethod | undefined {
  const documented = new Set(spec.operations.filter((op) => op.path === operation.path).map((op) => op.method));
  return (['patch', 'put', 'post', 'get', 'delete'] as const).find((method) => !documented.has(method));
}
