import { readFileSync } from 'node:fs';
import path from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadSpec } from '../../src/openapi/load.js';
import { SpecValidator } from '../../src/openapi/validator.js';

const SPECS = path.resolve('specs');
/** The documentation pages the specs were taken from, kept beside them. */
const SOURCES = path.resolve('specs/sources');

/** The OpenAPI block of a documentation page (the fenced yaml after "## OpenAPI"). */
function openApiBlock(page: string): any {
  const text = readFileSync(path.join(SOURCES, page), 'utf8');
  const block = /````yaml[^\n]*\n([\s\S]*?)\n````/.exec(text);
  if (!block) throw new Error(`${page}: no OpenAPI block`);
  return parseYaml(block[1]);
}

describe('bundled specs', () => {
  for (const file of ['feather.yaml', 'julep.yaml', 'eliza.yaml']) {
    it(`${file} is valid OpenAPI 3.1 for swagger-parser`, async () => {
      const api: any = await SwaggerParser.validate(path.join(SPECS, file));
      expect(api.openapi).toBe('3.1.0');
      expect(Object.keys(api.paths).length).toBeGreaterThan(0);
    });
  }

  describe('match their documentation pages exactly', () => {
    const cases = [
      ['feather-create-session.md', 'feather.yaml'],
      ['feather-send-message.md', 'feather.yaml'],
      ['feather-v2-conversations.md', 'feather.yaml'],
      ['julep-create-session.md', 'julep.yaml'],
    ] as const;
    for (const [page, file] of cases) {
      it(`${file} carries every path, schema and scheme of ${page} unchanged`, () => {
        const documented = openApiBlock(page);
        const spec = parseYaml(readFileSync(path.join(SPECS, file), 'utf8'));
        for (const [route, item] of Object.entries(documented.paths)) expect(spec.paths[route]).toEqual(item);
        for (const [name, schema] of Object.entries(documented.components.schemas)) {
          expect(spec.components.schemas[name], name).toEqual(schema);
        }
        expect(spec.components.securitySchemes).toEqual(documented.components.securitySchemes);
        expect(spec.info).toEqual(documented.info);
      });
    }

    it('eliza.yaml keeps every property, bound, status and example of its rendered page', () => {
      const page = openApiBlock('eliza-create-session.md');
      const spec = parseYaml(readFileSync(path.join(SPECS, 'eliza.yaml'), 'utf8'));
      const operation = spec.paths[page.paths.path][page.paths.method];
      const schemas = spec.components.schemas;
      const requestProps = page.paths.request.body['application/json'].schemaArray[0].properties;
      expect(Object.keys(schemas.CreateSessionRequest.properties)).toEqual(Object.keys(requestProps));
      expect(schemas.CreateSessionRequest.required).toEqual(
        page.paths.request.body['application/json'].schemaArray[0].requiredProperties,
      );
      // Each rendered property is a one-entry allOf around the real schema.
      for (const [name, wrapped] of Object.entries<any>(requestProps)) {
        const { default: _default, ...converted } = schemas.CreateSessionRequest.properties[name];
        const { properties: convertedProps, ...rest } = converted;
        const { properties: renderedProps, ...renderedRest } = wrapped.allOf[0];
        expect(rest).toEqual(renderedRest);
        for (const [child, childSchema] of Object.entries<any>(renderedProps ?? {})) {
          const { default: _d, ...plain } = convertedProps[child];
          expect(plain).toEqual(childSchema);
        }
      }
      expect(schemas.CreateSessionRequest.properties.timeoutConfig.properties.timeoutMinutes).toMatchObject({
        minimum: 5,
        maximum: 1440,
        default: 30,
      });
      expect(operation.requestBody.content['application/json'].examples.example.value).toEqual(
        page.paths.request.body['application/json'].examples.example.value,
      );
      expect(Object.keys(operation.responses).sort()).toEqual(Object.keys(page.paths.response).sort());
      for (const [status, response] of Object.entries<any>(page.paths.response)) {
        expect(operation.responses[status].description).toBe(response['application/json'].description);
        expect(operation.responses[status].content['application/json'].examples).toEqual(
          response['application/json'].examples,
        );
      }
      const responseProps = page.paths.response['201']['application/json'].schemaArray[0].properties;
      for (const [name, wrapped] of Object.entries<any>(responseProps))
        expect(schemas.CreateSessionResponse.properties[name]).toEqual(wrapped.allOf[0]);
      const errorProps = page.paths.response['400']['application/json'].schemaArray[0].properties;
      expect(schemas.Error.properties.success).toEqual(errorProps.success.allOf[0]);
      expect(schemas.Error.properties.error).toEqual(errorProps.error.allOf[0]);
      expect(operation.security).toEqual(page.paths.request.security);
      expect(spec.servers).toEqual(page.paths.servers);
    });
  });
});

describe('spec engine', () => {
  it('rejects a file that is not OpenAPI with a message naming the file', async () => {
    await expect(loadSpec(path.resolve('package.json'))).rejects.toThrow(/package\.json/);
  });

  it('validates 3.1 bounds, consts and exclusive maxima from the bundled Julep spec', async () => {
    const spec = await loadSpec(path.join(SPECS, 'julep.yaml'));
    const validator = new SpecValidator(spec);
    const pointer = spec.operations[0].requestBody!.content[0].schemaPointer!;
    expect(
      validator.validate(pointer, { recall_options: { mode: 'vector', limit: 50, mmr_strength: 0.99 } }, 'request'),
    ).toEqual([]);
    const issues = validator.validate(pointer, { recall_options: { mode: 'vector', limit: 51 } }, 'request');
    expect(issues.some((i) => i.keyword === 'maximum' && i.path.join('.') === 'recall_options.limit')).toBe(true);
    expect(
      validator
        .validate(pointer, { recall_options: { mode: 'vector', mmr_strength: 1 } }, 'request')
        .some((i) => i.keyword === 'exclusiveMaximum'),
    ).toBe(true);
  });

  it('validates OpenAPI 3.0 documents with nullable and boolean exclusiveMaximum', async () => {
    const spec = await loadSpec(path.resolve('test/fixtures/crud-3.0.yaml'));
    const validator = new SpecValidator(spec);
    const create = spec.operations.find((op) => op.method === 'post')!;
    const pointer = create.requestBody!.content[0].schemaPointer!;
    expect(validator.validate(pointer, { name: 'Rex', tag: null, weight: 10 }, 'request')).toEqual([]);
    expect(validator.validate(pointer, { name: 'Rex', weight: 100 }, 'request').map((i) => i.keyword)).toContain(
      'maximum',
    );
    expect(validator.validate(pointer, { name: 'Rex', weight: 'heavy' }, 'request').map((i) => i.keyword)).toContain(
      'type',
    );
  });
});
