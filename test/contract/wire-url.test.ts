/**
 * toWire puts request URLs together as text where the URL parser would keep them as they are: every
 * URL it makes is the one the parser makes of the same path and query, whatever the path template
 * (spaces, non-ASCII, dot segments, a leading '//') and the parameter values.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toWire } from '../../src/contract/http.js';
import type { ContractRequest } from '../../src/contract/types.js';
import type { Operation } from '../../src/openapi/types.js';

const TEMPLATES = [
  '/v1/items/{id}',
  '/{id}',
  '/{id}/sub/{other}',
  '/a b/{id}',
  '/ünï/{id}',
  "/quote'd/{id}",
  '/x/./{id}/../y',
  '/x/%2E%2e/{id}',
  '//host-like/{id}',
  '/{id}/',
  '/pipes|carets^/{id}',
  '/tab\t/{id}',
  '/q/{id}?fixed=1&b=two words',
];

function operationFor(template: string): Operation {
  return {
    id: `get ${template}`,
    method: 'get',
    path: template,
    parameters: [
      { name: 'id', in: 'path', required: true, schema: {} },
      { name: 'other', in: 'path', required: true, schema: {} },
      { name: 'q', in: 'query', required: false, schema: {} },
    ],
    responses: [],
    security: [],
  } as unknown as Operation;
}

/** The URL as the parser makes it of the path (prefix, template, encoded values) and the query. */
function parsedUrl(base: URL, template: string, values: Record<string, string>, q: string | undefined): string {
  const [pathTemplate, fixed = ''] = template.split('?');
  const path = pathTemplate.replace(/\{([^}]+)\}/g, (_, name: string) => encodeURIComponent(values[name] ?? ''));
  const query = new URLSearchParams(fixed);
  if (q !== undefined) query.append('q', q);
  const search = query.toString();
  return new URL(`${base.pathname.replace(/\/$/, '')}${path}${search ? `?${search}` : ''}`, base.origin).toString();
}

function outcome(make: () => string): string {
  try {
    return make();
  } catch (error) {
    return `throws ${(error as Error).message}`;
  }
}

describe('request URLs', () => {
  it('are the URLs the parser makes of the same path and query', () => {
    const value = fc.oneof(fc.string({ unit: 'binary' }), fc.constantFrom('.', '..', '%2e', '', 'a/b', '?', '#'));
    fc.assert(
      fc.property(
        fc.constantFrom(...TEMPLATES),
        fc.constantFrom('http://127.0.0.1:1', 'http://127.0.0.1:1/api/', 'http://127.0.0.1:1/base'),
        value,
        value,
        fc.option(fc.string({ unit: 'binary' }), { nil: undefined }),
        (template, target, id, other, q) => {
          const base = new URL(target);
          const request: ContractRequest = {
            operation: operationFor(template),
            pathParams: { id, other },
            query: q === undefined ? {} : { q },
            headers: {},
          };
          // A path the parser refuses (an empty host after '//') is refused the same way.
          expect(outcome(() => toWire(request, base, {}).url)).toBe(
            outcome(() => parsedUrl(base, template, { id, other }, q)),
          );
        },
      ),
      { numRuns: 3000, seed: 14 },
    );
  });
});
