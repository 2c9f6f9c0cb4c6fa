/**
 * 3.0 keywords in 3.1 specs (OpenAI's has hundreds): `nullable: true` beside no `type`, meant as
 * "or null", and a boolean `exclusiveMinimum` beside `minimum`. ajv's 2020-12 mode refused to
 * compile both, which stopped a `parley test` run part-way; they validate as their authors meant.
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
                properties: {
                  stop: { allOf: [{ $ref: '#/components/schemas/Stop' }], nullable: true },
                  user: { allOf: [{ type: 'string' }], nullable: false },
                  temperature: {
                    type: 'number',
                    minimum: 0,
                    exclusiveMinimum: true,
                    maximum: 2,
                    exclusiveMaximum: false,
                  },
                },
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
    // nullable: false beside no type means nothing more than the rest
    expect(validator.validate(pointer, { user: 'u' }, 'request')).toEqual([]);
    expect(validator.validate(pointer, { user: null }, 'request')).not.toEqual([]);
  });

  it("3.0's boolean exclusiveMinimum beside minimum reads as the 3.1 bound, not a compile error", async () => {
    const spec = await loadSpec(await tempJsonFile('exclusive-3.1.json', SPEC));
    const pointer = spec.operations[0].requestBody!.content[0].schemaPointer!;
    const validator = new SpecValidator(spec);
    expect(validator.validate(pointer, { temperature: 0.5 }, 'request')).toEqual([]);
    expect(validator.validate(pointer, { temperature: 2 }, 'request')).toEqual([]);
    expect(validator.validate(pointer, { temperature: 0 }, 'request').map((i) => i.keyword)).toEqual([
      'exclusiveMinimum',
    ]);
    expect(validator.validate(pointer, { temperature: 2.5 }, 'request').map((i) => i.keyword)).toEqual(['maximum']);
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
