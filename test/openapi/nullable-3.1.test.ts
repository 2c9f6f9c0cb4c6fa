/**
 * `nullable: true` beside no `type` in a 3.1 spec (OpenAI's has hundreds): not a 3.1 keyword, but
 * meant as "or null" as in 3.0, and ajv's 2020-12 mode refuses to compile it, which stopped a
 * `parley test` run part-way. It validates as "this, or null" through the validator and the mock.
 */
import { describe, expect, it } from 'vitest';
import { loadSpec } from '../../src/openapi/load.js';
import { SpecValidator } from '../../src/openapi/validator.js';
import { send } from '../helpers/http.js';
import { tempJsonFile, withSpecMock } from '../helpers/mock.js';

const SPEC = {
  openapi: '3.1.0',
  info: { title: 'typeless nullable', version: '1' },
  components: {
    schemas: { Stop: { type: 'object', required: ['reason'], properties: { reason: { type: 'string' } } } },
  },
  paths: {
    '/completions': {
      post: {
        operationId: 'complete',
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                properties: { stop: { allOf: [{ $ref: '#/components/schemas/Stop' }], nullable: true } },
              },
            },
          },
        },
        responses: { '200': { description: 'ok', content: { 'application/json': { schema: { type: 'object' } } } } },
      },
    },
  },
};

describe('3.1 nullable without type', () => {
  it('validates as the schema or null', async () => {
    const spec = await loadSpec(await tempJsonFile('nullable-3.1.json', SPEC));
    const pointer = spec.operations[0].requestBody!.content[0].schemaPointer!;
    const validator = new SpecValidator(spec);
    expect(validator.validate(pointer, { stop: null }, 'request')).toEqual([]);
    expect(validator.validate(pointer, { stop: { reason: 'length' } }, 'request')).toEqual([]);
    expect(validator.validate(pointer, { stop: 'x' }, 'request')).not.toEqual([]);
  });

  it('the mock accepts null and the object, and refuses the rest with a 4xx', async () => {
    const file = await tempJsonFile('nullable-3.1.json', SPEC);
    await withSpecMock([file], async (mock) => {
      for (const stop of [null, { reason: 'length' }])
        expect((await send(mock.url, 'POST', '/completions', { json: { stop } })).status).toBe(200);
      const refused = await send(mock.url, 'POST', '/completions', { json: { stop: 5 } });
      expect(refused.status).toBeGreaterThanOrEqual(400);
      expect(refused.status).toBeLessThan(500);
    });
  });
});
