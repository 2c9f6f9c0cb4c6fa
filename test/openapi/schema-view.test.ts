/**
 * One reading of a schema for every part of the engine. Each case below is a schema the old
 * readers disagreed on (the generator, the examples, the defaults, the coverage probes and the
 * mock's reading of text each guessed types and merged `allOf` their own way); each is checked
 * against the spec's own validator, on a 3.0 and a 3.1 spec, and through the mock over HTTP.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { baseRequest, planProbes } from '../../src/contract/probe-plan.js';
import { schemaArbitrary } from '../../src/openapi/arbitrary.js';
import { applyDefaults } from '../../src/openapi/defaults.js';
import { exampleFromSchema } from '../../src/openapi/example.js';
import { loadSpec } from '../../src/openapi/load.js';
import { scalarFromText, viewOf } from '../../src/openapi/schema-view.js';
import type { Operation, Spec } from '../../src/openapi/types.js';
import { SpecValidator } from '../../src/openapi/validator.js';
import { send } from '../helpers/http.js';
import { fixtureFile, specMockFor } from '../helpers/mock.js';

describe('viewOf', () => {
  it('reads 3.0 nullable, 3.1 type arrays, implied types and typeless nullable alike', () => {
    expect(viewOf({ type: 'integer', nullable: true }).types).toEqual(['integer', 'null']);
    expect(viewOf({ type: ['integer', 'null'] }).types).toEqual(['integer', 'null']);
    expect(viewOf({ properties: { a: {} } }).types).toEqual(['object']);
    // nullable beside no type: anything, or null (as the validator reads it).
    expect(viewOf({ nullable: true }).types).toEqual([]);
    expect(viewOf({ nullable: true }).admits.size).toBe(7);
    expect([...viewOf({ type: 'number' }).admits].sort()).toEqual(['integer', 'number']);
    expect([...viewOf({ enum: [1, 2] }).admits].sort()).toEqual(['integer', 'number']);
    expect([...viewOf({ enum: ['a', null] }).admits].sort()).toEqual(['null', 'string']);
  });

  it('merges allOf parts with the keywords beside them and narrows types through union branches', () => {
    const view = viewOf({
      allOf: [
        { type: 'object', required: ['a'], properties: { a: { type: 'string' } } },
        { properties: { a: { maxLength: 3 } }, maximum: 5 },
      ],
      properties: { b: { type: 'integer' } },
      required: ['b'],
    });
    expect([...view.required].sort()).toEqual(['a', 'b']);
    expect([...view.properties.keys()].sort()).toEqual(['a', 'b']);
    expect(viewOf(view.properties.get('a')).maxLength).toBe(3);
    expect(viewOf(view.properties.get('a')).types).toEqual(['string']);
    expect([...viewOf({ anyOf: [{ type: 'string' }, { type: 'null' }] }).admits].sort()).toEqual(['null', 'string']);
  });

  it('reads 3.0 boolean and 3.1 numeric exclusive bounds the same', () => {
    const bounds = { min: 0, max: 1, minExcluded: true, maxExcluded: true };
    expect(viewOf({ minimum: 0, maximum: 1, exclusiveMinimum: true, exclusiveMaximum: true }).bounds).toEqual(bounds);
    expect(viewOf({ exclusiveMinimum: 0, exclusiveMaximum: 1 }).bounds).toEqual(bounds);
  });

  it('survives $ref cycles through allOf and unions', () => {
    const loop: Record<string, unknown> = { type: 'object', properties: { next: {} } };
    loop.allOf = [loop];
    loop.anyOf = [loop, { type: 'null' }];
    const view = viewOf(loop);
    expect(view.types).toEqual(['object']);
    expect(view.admits.has('object')).toBe(true);
    expect(view).toBe(viewOf(loop));
  });

  it('reads parameter text as its schema wants it, in every dialect', () => {
    expect(scalarFromText('null', { type: 'integer', nullable: true })).toBeNull();
    expect(scalarFromText('null', { type: ['integer', 'null'] })).toBeNull();
    expect(scalarFromText('2', { enum: [1, 2, 3] })).toBe(2);
    expect(scalarFromText('2', { oneOf: [{ type: 'integer' }, { type: 'boolean' }] })).toBe(2);
    expect(scalarFromText('true', { oneOf: [{ type: 'integer' }, { type: 'boolean' }] })).toBe(true);
    expect(scalarFromText('2', { anyOf: [{ type: 'integer' }, { type: 'string' }] })).toBe('2');
  });
});

for (const version of ['3.0', '3.1'] as const) {
  const file = fixtureFile(`schema-view-${version}.yaml`);

  describe(`one schema reading, OpenAPI ${version}`, () => {
    let spec: Spec;
    let validator: SpecValidator;
    const operation = (id: string): Operation => spec.operations.find((op) => op.id === id)!;
    const bodyOf = (id: string) => operation(id).requestBody!.content[0];
    beforeAll(async () => {
      spec = await loadSpec(file);
      validator = new SpecValidator(spec);
    });

    it('builds an example of an allOf that keeps the properties beside it and its exclusive bounds', () => {
      const media = bodyOf('createThing');
      const example = exampleFromSchema(media.schema, { direction: 'request' }) as Record<string, number>;
      expect(validator.validate(media.schemaPointer!, example, 'request')).toEqual([]);
      expect(example.label).toEqual(expect.any(String));
      expect(example.low).toBeGreaterThan(0);
      expect(example.ratio).toBeGreaterThan(0);
      expect(example.ratio).toBeLessThan(1);
    });

    it('generates only valid bodies, and a typeless (nullable) property takes values besides null', () => {
      const media = bodyOf('createThing');
      const bodies = fc.sample(schemaArbitrary(media.schema!, { direction: 'request' }), { numRuns: 300, seed: 7 });
      for (const body of bodies) expect(validator.validate(media.schemaPointer!, body, 'request')).toEqual([]);
      const notes = bodies.map((body) => (body as Record<string, unknown>).note).filter((n) => n !== undefined);
      expect(notes.some((note) => note !== null)).toBe(true);
    });

    it('fills in defaults from the union branch a value takes', () => {
      const { schema } = bodyOf('setOptions');
      expect(applyDefaults(schema, { mode: 'text' })).toEqual({ mode: 'text', limit: 10 });
      expect(applyDefaults(schema, { mode: 'vector' })).toEqual({ mode: 'vector', confidence: 0.5 });
    });

    it('plans coverage probes as the mock reads them: an allOf-wrapped type, a nullable and an enum parameter', () => {
      const create = planProbes(baseRequest(operation('createThing'), validator, 1), validator);
      const typeProbes = create.probes.filter((p) => p.constraint === 'body.count type');
      expect(typeProbes.map((p) => p.kind)).toEqual(['invalid']);
      expect(
        validator.validate(bodyOf('createThing').schemaPointer!, typeProbes[0].request.body, 'request'),
      ).not.toEqual([]);

      const base = baseRequest(operation('listThings'), validator, 1);
      expect(base.query.level).toBe(1);
      const list = planProbes(base, validator);
      const kept = (constraint: string) =>
        list.probes.filter((p) => p.constraint === constraint && p.kind === 'valid').map((p) => p.value);
      expect(kept('query.limit nullable')).toEqual([null]);
      expect(kept('query.level enum')).toEqual([1, 2, 3]);
    });

    describe('through the mock', () => {
      const mock = specMockFor([file]);

      it('reads an enum-only and a nullable query parameter as the harness does', async () => {
        expect((await send(mock.url, 'GET', '/things?level=2&limit=null')).status).toBe(200);
        const refused = await send(mock.url, 'GET', '/things?level=4');
        expect(refused.status).toBeGreaterThanOrEqual(400);
        expect(refused.status).toBeLessThan(500);
      });

      it('reads the fields of a form body whose schema is an allOf', async () => {
        const form = (text: string) =>
          send(mock.url, 'POST', '/orders', {
            raw: text,
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
          });
        expect((await form('quantity=5&gift=true')).status).toBe(200);
        const refused = await form('quantity=0');
        expect(refused.status).toBeGreaterThanOrEqual(400);
        expect(refused.status).toBeLessThan(500);
        expect(refused.text).toContain('quantity');
      });
    });
  });
}
