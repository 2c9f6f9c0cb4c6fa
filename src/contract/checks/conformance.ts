/** The answer is one the spec documents: its status, its content type, and its body's schema. */
import { classifyErrorSchema, documentedResponse, isDocumented } from '../../openapi/responses.js';
import type { MediaType, ResponseSpec, Spec } from '../../openapi/types.js';
import type { Check, Exchange, Verdict } from '../types.js';
import { mediaTypeMatches, mediaTypeOf, REASONABLE_UNDOCUMENTED } from './expectations.js';

export const statusCodeConformance: Check = {
  name: 'status_code_conformance',
  description: 'the status code is one the operation documents',
  kinds: ['valid', 'invalid', 'no-credentials', 'wrong-credentials'],
  run: ({ response, request }) => {
    if (!response) return { outcome: 'skip' };
    if (isDocumented(request.operation, response.status)) return { outcome: 'pass' };
    // An operation that documents no answer promises nothing to hold a status against.
    if (request.operation.responses.length === 0)
      return { outcome: 'warn', message: `answered ${response.status}; the operation documents no responses` };
    const listed = request.operation.responses.map((r) => r.status).join(', ');
    if (REASONABLE_UNDOCUMENTED.has(response.status)) {
      return {
        outcome: 'warn',
        message: `${response.status} is not documented (documented: ${listed}), though a reasonable answer`,
      };
    }
    if (response.status >= 400 && request.operation.responses.some((r) => r.status === 'default'))
      return { outcome: 'pass' };
    return {
      outcome: 'fail',
      message: `answered ${response.status}, which the operation does not document`,
      expected: `one of ${listed}`,
    };
  },
};

export const contentTypeConformance: Check = {
  name: 'content_type_conformance',
  description: 'the Content-Type is one documented for that status',
  kinds: ['valid', 'invalid', 'no-credentials', 'wrong-credentials'],
  run: ({ response, request }) => {
    if (!response) return { outcome: 'skip' };
    const documented = documentedResponse(request.operation, response.status);
    if (!documented || documented.content.length === 0) return { outcome: 'skip' };
    const actual = mediaTypeOf(response.headers['content-type']);
    if (actual && documented.content.some((m) => mediaTypeMatches(m.mediaType, actual))) return { outcome: 'pass' };
    const expected = documented.content.map((m) => m.mediaType).join(' or ');
    if (!actual) {
      return response.text.length === 0
        ? { outcome: 'fail', message: `empty ${response.status} answer`, expected: `a ${expected} body` }
        : { outcome: 'fail', message: 'no Content-Type header', expected };
    }
    return { outcome: 'fail', message: `Content-Type ${actual}`, expected };
  },
};

/** The documented JSON media a body is checked against: none when it came as another documented type (XML, text). */
function jsonMediaFor(documented: ResponseSpec | undefined, actual: string | undefined): MediaType | undefined {
  const json = documented?.content.find((m) => /json/i.test(m.mediaType));
  if (!json || !actual || mediaTypeMatches(json.mediaType, actual)) return json;
  return documented!.content.some((m) => mediaTypeMatches(m.mediaType, actual)) ? undefined : json;
}

function schemaVerdict(exchange: Exchange, wantError: boolean): Verdict {
  const { response, request, validator } = exchange;
  if (!response || response.status >= 400 !== wantError) return { outcome: 'skip' };
  const documented = documentedResponse(request.operation, response.status);
  const media = jsonMediaFor(documented, mediaTypeOf(response.headers['content-type']));
  if (!media?.schemaPointer) {
    if (wantError && !documented) return undocumentedErrorShape(exchange);
    return { outcome: 'skip' };
  }
  if (response.json === undefined) {
    const why = response.jsonError ?? 'it is not JSON';
    return {
      outcome: 'fail',
      message: `the ${response.status} body cannot be checked: ${why}: ${response.text.slice(0, 120)}`,
      expected: `JSON matching the documented ${response.status} schema`,
    };
  }
  const issues = validator.validate(media.schemaPointer, response.json, 'response');
  if (issues.length === 0) return { outcome: 'pass' };
  const summary = issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || '(root)'} ${i.message}`)
    .join('; ');
  return {
    outcome: 'fail',
    message: `the ${response.status} body breaks its schema: ${summary}`,
    expected: `a body matching the documented ${response.status} schema`,
  };
}

/** The API's documented error bodies with a schema, gathered once per spec. */
const errorMediaBySpec = new WeakMap<Spec, MediaType[]>();
function errorMediaOf(spec: Spec): MediaType[] {
  let media = errorMediaBySpec.get(spec);
  if (!media)
    errorMediaBySpec.set(
      spec,
      (media = spec.operations
        .flatMap((op) => op.responses)
        .filter((r) => /^[45]|default/.test(r.status))
        .flatMap((r) => r.content.filter((m) => m.schemaPointer && classifyErrorSchema(m.schema)))),
    );
  return media;
}

/** An error status the operation leaves out should still look like one of the API's documented errors. */
function undocumentedErrorShape(exchange: Exchange): Verdict {
  const { response, request, validator } = exchange;
  const errorMedia = errorMediaOf(request.operation.spec);
  if (errorMedia.length === 0) return { outcome: 'skip' };
  const matches =
    response!.json !== undefined &&
    errorMedia.some((m) => validator.accepts(m.schemaPointer!, response!.json, 'response'));
  return matches
    ? { outcome: 'pass' }
    : {
        outcome: 'warn',
        message: `the undocumented ${response!.status} body matches none of the API's documented error shapes: ${response!.text.slice(0, 120)}`,
      };
}

export const responseSchemaConformance: Check = {
  name: 'response_schema_conformance',
  description: 'a success body matches the schema documented for its status',
  kinds: ['valid', 'invalid', 'no-credentials', 'wrong-credentials'],
  run: (exchange) => schemaVerdict(exchange, false),
};

export const errorSchemaConformance: Check = {
  name: 'error_schema_conformance',
  description: 'an error body matches the error schema documented for its status',
  kinds: ['valid', 'invalid', 'no-credentials', 'wrong-credentials'],
  run: (exchange) => schemaVerdict(exchange, true),
};
