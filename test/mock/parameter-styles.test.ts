/**
 * Object and delimited parameters read as their `style` and `explode` place them (issue #9):
 * Stripe's deepObject filters (`created[gt]=…`), exploded and non-exploded form objects,
 * space- and pipe-delimited arrays, and simple header objects. Through HTTP against the mock, then
 * `parley test` against the mock of the same spec in seeds 1-3 (the harness writes what the mock reads).
 */
import { describe, expect, it } from 'vitest';
import { parameterFromText } from '../../src/openapi/form-coercion.js';
import { queryParameterText } from '../../src/openapi/parameter-text.js';
import { send } from '../helpers/http.js';
import { fixtureFile, specMockFor } from '../helpers/mock.js';
import { expectSelfTestConforms } from '../helpers/self-test.js';

const FILE = fixtureFile('real-world-defects/object-parameters-3.0.yaml');

describe('object and delimited parameters in the mock', () => {
  const mock = specMockFor([FILE]);
  const list = (query: string, headers: Record<string, string> = {}) =>
    send(mock.url, 'GET', `/charges?${query}`, { headers });

  it('accepts each style written as OpenAPI says', async () => {
    const valid = [
      'created[gt]=1700000000&created[lte]=1800000000',
      'created=1700000000',
      'amount[currency]=eur&amount[min]=5',
      'role=admin&first=Alex',
      'point=x,1,y,2',
      'words=red%20blue',
      'levels=1|2|9',
    ];
    for (const query of valid) expect((await list(query)).status, query).toBe(200);
    const headers = { 'x-range': 'from=1,to=5', 'x-pair': 'a,3' };
    expect((await list('', headers)).status).toBe(200);
  });

  it('refuses a wrong value inside an object or a delimited array, naming the parameter', async () => {
    const invalid: [string, string][] = [
      ['created[gt]=soon', 'created'],
      ['created[since]=5', 'created'],
      ['amount[currency]=gbp', 'amount'],
      ['amount[min]=5', 'amount'],
      ['role=owner', 'person'],
      ['point=x,one,y,2', 'point'],
      ['words=red%20pink', 'words'],
      ['levels=1|10', 'levels'],
    ];
    for (const [query, name] of invalid) {
      const answer = await list(query);
      expect(answer.status, query).toBe(400);
      expect(answer.text, query).toContain(name);
    }
    expect((await list('', { 'x-range': 'from=one,to=5' })).status).toBe(400);
    expect((await list('', { 'x-pair': 'a,three' })).status).toBe(400);
  });

  it('reads nested deepObject fields within the form reader bounds', () => {
    const parameter = {
      name: 'filter',
      style: 'deepObject',
      explode: true,
      schema: { type: 'object', properties: { tax: { type: 'object', properties: { enabled: { type: 'boolean' } } } } },
    };
    const text = queryParameterText(parameter, new URLSearchParams('filter[tax][enabled]=true&other[x]=1'));
    expect(parameterFromText(text!, parameter.schema)).toEqual({ tax: { enabled: true } });
    const deep = `filter${'[a]'.repeat(40)}=1`;
    expect(JSON.stringify(queryParameterText(parameter, new URLSearchParams(deep))).length).toBeLessThan(400);
    expect(queryParameterText(parameter, new URLSearchParams('filterx=1'))).toBeUndefined();
  });
});

describe('object and delimited parameters self-test', () => {
  for (const seed of [1, 2, 3]) {
    it(`conforms in seed ${seed}`, async () => {
      const report = await expectSelfTestConforms(FILE, seed);
      const accepted = report.tallies.filter((t) => t.check === 'valid_request_accepted');
      expect(accepted.reduce((sum, t) => sum + t.passed, 0)).toBeGreaterThanOrEqual(20);
    }, 60_000);
  }
});
