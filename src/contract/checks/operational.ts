/** What the spec says of an answer beyond its body: documented headers, methods a path refuses, and time. */
import { documentedResponse } from '../../openapi/responses.js';
import { scalarFromText, viewOf, wantsArray } from '../../openapi/schema-view.js';
import type { ResponseHeader } from '../../openapi/types.js';
import type { Check, Verdict } from '../types.js';

/** Without --max-response-time, answers slower than this are still reported, as warnings. */
export const SLOW_ANSWER_WARNING_MS = 1000;

export const responseHeadersConformance: Check = {
  name: 'response_headers_conformance',
  description: 'headers documented for the status are present where required and valid against their schema',
  kinds: ['valid', 'invalid', 'no-credentials', 'wrong-credentials'],
  run: ({ response, request, validator }) => {
    if (!response) return { outcome: 'skip' };
    const documented = documentedResponse(request.operation, response.status)?.headerSpecs ?? [];
    if (documented.length === 0) return { outcome: 'skip' };
    for (const header of documented) {
      const text = response.headers[header.name.toLowerCase()];
      if (text === undefined) {
        if (header.required)
          return {
            outcome: 'fail',
            message: `the required ${header.name} header is missing from the ${response.status} answer`,
            expected: `a ${header.name} header`,
          };
        continue;
      }
      if (!header.schemaPointer) continue;
      const issues = validator.validate(header.schemaPointer, headerValue(header, text), 'response');
      if (issues.length > 0) {
        return {
          outcome: 'fail',
          message: `${header.name}: ${JSON.stringify(text).slice(0, 80)} ${issues[0].message}`,
          expected: `a ${header.name} valid against its documented schema`,
        };
      }
    }
    return { outcome: 'pass' };
  },
};

/** Header text read as its schema's type (style simple), so `X-Rate-Limit: 10` is the integer 10. */
function headerValue(header: ResponseHeader, text: string): unknown {
  const view = viewOf(header.schema);
  if (wantsArray(view)) return text.split(',').map((item) => scalarFromText(item.trim(), view.items));
  return scalarFromText(text, header.schema);
}

export const unsupportedMethod: Check = {
  name: 'unsupported_method',
  description:
    'a method the path does not document is refused with 405 and an Allow header naming the documented ones (a warning unless selected with --only)',
  kinds: ['unsupported-method'],
  optIn: true,
  run: ({ response, request }) => {
    if (!response) return { outcome: 'skip' };
    const documented = request.operation.spec.operations
      .filter((op) => op.path === request.operation.path)
      .map((op) => op.method.toUpperCase());
    const expected = `405 with Allow: ${documented.join(', ')}`;
    if (response.status !== 405)
      return {
        outcome: 'fail',
        message: `${request.method?.toUpperCase()} ${request.operation.path} (undocumented) answered ${response.status}`,
        expected,
      };
    const allow = response.headers.allow;
    if (allow === undefined) return { outcome: 'fail', message: 'a 405 without an Allow header', expected };
    const allowed = new Set(allow.split(',').map((method) => method.trim().toUpperCase()));
    const missing = documented.filter((method) => !allowed.has(method));
    return missing.length === 0
      ? { outcome: 'pass' }
      : { outcome: 'fail', message: `Allow: ${allow} leaves out documented ${missing.join(', ')}`, expected };
  },
};

export const maxResponseTime: Check = {
  name: 'max_response_time',
  description: `an answer arrives within --max-response-time (without it, answers slower than ${SLOW_ANSWER_WARNING_MS} ms are warnings)`,
  kinds: ['valid', 'invalid', 'no-credentials', 'wrong-credentials'],
  run: ({ response }, context): Verdict => {
    if (!response) return { outcome: 'skip' };
    const took = Math.round(response.durationMs);
    const limit = context?.maxResponseTimeMs;
    if (limit !== undefined)
      return took <= limit
        ? { outcome: 'pass' }
        : { outcome: 'fail', message: `answered in ${took} ms`, expected: `an answer within ${limit} ms` };
    return took <= SLOW_ANSWER_WARNING_MS
      ? { outcome: 'pass' }
      : { outcome: 'warn', message: `a slow answer: ${took} ms` };
  },
};
