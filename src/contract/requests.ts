/** Valid requests for an operation, generated from its parameter and body schemas. */
import fc from 'fast-check';
import { schemaArbitrary } from '../spec/arbitrary.js';
import { bodyEncodingOf } from '../spec/media-type.js';
import type { Operation, Parameter } from '../spec/types.js';
import type { ContractRequest } from './types.js';


/** The JSON media type of an operation's request body, if it takes one. */
export function jsonBodyOf(operation: Operation) {
  return operation.requestBody?.content.find((media) => /json/i.test(media.mediaType));
}

/** The media type generated bodies are sent as: JSON where documented, else a form, multipart, then the first. */
export function bodyMediaOf(operation: Operation) {
  const content = operation.requestBody?.content ?? [];
  const ranked = (['json', 'form', 'multipart', 'text'] as const).map((encoding) => content.find((media) => bodyEncodingOf(media.mediaType) === encoding));
  return ranked.find((media) => media !== undefined) ?? content[0];
}

/** A path segment value that survives the trip through a URL unchanged. */
function pathSafe(value: unknown): boolean {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text !== '' && text !== '.' && text !== '..';
}

function parameterArbitrary(parameter: Parameter): fc.Arbitrary<unknown> {
  const value = schemaArbitrary(parameter.schema, { direction: 'request', maxDepth: 2 });
  if (parameter.in === 'path') return value.filter(pathSafe);
  // Headers and query strings carry text: keep values that read back as what was generated.
  return value.filter((v) => v !== null && typeof v !== 'object' && (typeof v !== 'string' || /^[\x20-\x7e]*$/.test(v)));
}

/** Cookie parameters travel in one Cookie header, each value percent-encoded. */
function withCookies(headers: Record<string, string>, cookies: Record<string, unknown>): Record<string, string> {
  const pairs = Object.entries(cookies).map(([name, value]) => `${name}=${encodeURIComponent(String(value))}`);
  return pairs.length === 0 ? headers : { ...headers, cookie: pairs.join('; ') };
}

export function validRequestArbitrary(operation: Operation): fc.Arbitrary<ContractRequest> {
  const groups = { path: {}, query: {}, header: {}, cookie: {} } as Record<Parameter['in'], Record<string, fc.Arbitrary<unknown>>>;
  const required = { path: [] as string[], query: [] as string[], header: [] as string[], cookie: [] as string[] };
  for (const parameter of operation.parameters) {
    groups[parameter.in][parameter.name] = parameterArbitrary(parameter);
    if (parameter.required) required[parameter.in].push(parameter.name);
  }
  const record = (group: Parameter['in']) => fc.record(groups[group], { requiredKeys: required[group] });
  const media = bodyMediaOf(operation);
  const body: fc.Arbitrary<unknown> = media ? schemaArbitrary(media.schema ?? {}, { direction: 'request' }) : fc.constant(undefined);
  const contentType = media && bodyEncodingOf(media.mediaType) !== 'json' ? media.mediaType : undefined;
  return fc.record({ path: record('path'), query: record('query'), header: record('header'), cookie: record('cookie'), body }).map(
    ({ path, query, header, cookie, body: value }): ContractRequest => ({
      operation,
      pathParams: path,
      query,
      headers: withCookies(Object.fromEntries(Object.entries(header).map(([name, v]) => [name.toLowerCase(), String(v)])), cookie),
      body: value,
      ...(contentType ? { contentType } : {}),
    }),
  );
}
