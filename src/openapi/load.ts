/** Loads, validates and indexes an OpenAPI 3.0/3.1 file into the engine's `Spec`. */
import path from 'node:path';
import type { SpecCacheOptions } from './cache/open.js';
import { cachedLoad, type LoadedDocuments } from './cache/spec-cache.js';
import { cacheValidatorsOf } from './cache/validator-settings.js';
import { localizeDiscriminatorMappings } from './discriminator-mapping.js';
import type { JsonObject } from './json-value.js';
import { locate } from './pointer.js';
import { schemaDocumentOf, unknownFormats } from './schema-document.js';
import {
  HTTP_METHODS,
  type Example,
  type HttpMethod,
  type JsonSchema,
  type MediaType,
  type OpenApiVersion,
  type Operation,
  type Parameter,
  type ParameterLocation,
  type ResponseSpec,
  type SecurityRequirement,
  type SecurityScheme,
  type Spec,
} from './types.js';

export class SpecError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = 'SpecError';
  }
}

type Segments = (string | number)[];

/** A node of the raw document: read through `objectOf` and checked before use. */
type RawObject = Record<string, unknown>;

const objectOf = (value: unknown): RawObject =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as RawObject) : {};
const listOf = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const optionalText = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const PARAMETER_LOCATIONS: readonly ParameterLocation[] = ['path', 'query', 'header', 'cookie'];

export interface LoadOptions {
  /**
   * The on-disk cache of parsed, validated and dereferenced specs (on by default; `false`, or
   * `PARLEY_CACHE=0` in the environment, turns it off).
   */
  cache?: SpecCacheOptions | false;
}

export async function loadSpec(file: string, options: LoadOptions = {}): Promise<Spec> {
  const { bundled, dereferenced } = await cachedLoad(file, () => readSpecDocuments(file), options.cache);
  const version = openApiVersion(file, bundled);
  const spec: Spec = {
    name: path.basename(file).replace(/\.(ya?ml|json)$/i, ''),
    file,
    version,
    title: String(objectOf(bundled.info).title ?? ''),
    bundled,
    dereferenced,
    operations: [],
    warnings: [],
  };
  cacheValidatorsOf(spec, options.cache);
  // The validators' document, built now: its walk also records the discriminators generators read.
  schemaDocumentOf(spec);
  spec.operations = collectOperations(spec);
  spec.warnings = loadWarnings(spec);
  return spec;
}

/** swagger-parser's work, the slow part of a load: parse, resolve `$ref`s, validate, dereference. */
export async function readSpecDocuments(file: string): Promise<LoadedDocuments> {
  try {
    // Imported here: a load from the cache does without swagger-parser (and its start-up time).
    const { default: SwaggerParser } = await import('@apidevtools/swagger-parser');
    const parser = new SwaggerParser();
    const bundled = await parser.bundle(file);
    localizeDiscriminatorMappings(bundled, parser.$refs);
    const files = parser.$refs.paths();
    const dereferenced = await SwaggerParser.validate(structuredClone(bundled));
    return { bundled: parsedDocument(bundled), dereferenced: parsedDocument(dereferenced), files };
  } catch (error) {
    throw new SpecError(file, (error as Error).message.split('\n').slice(0, 12).join('\n'));
  }
}

/** swagger-parser's document type names OpenAPI's fields; the value is parsed JSON or YAML all the way down. */
const parsedDocument = (document: object): JsonObject => document as JsonObject;

export async function loadSpecs(files: readonly string[], options: LoadOptions = {}): Promise<Spec[]> {
  const specs = await Promise.all(files.map((file) => loadSpec(file, options)));
  const names = new Set<string>();
  for (const spec of specs) {
    while (names.has(spec.name)) spec.name += '_';
    names.add(spec.name);
  }
  return specs;
}

/** Parts of the document parley reads but does not act on, named so nobody is surprised. */
function loadWarnings(spec: Spec): string[] {
  const warnings: string[] = [];
  const unknown = unknownFormats(schemaDocumentOf(spec).formats);
  if (unknown.length > 0)
    warnings.push(
      `format${unknown.length > 1 ? 's' : ''} ${unknown.map((f) => `"${f}"`).join(', ')} not checked (not a format parley knows)`,
    );
  const webhooks = Object.keys(spec.dereferenced.webhooks ?? {});
  if (webhooks.length > 0)
    warnings.push(
      `webhooks ${webhooks.map((w) => `"${w}"`).join(', ')} listed, not served or tested (they are requests the API sends, not answers it gives)`,
    );
  return warnings;
}

function openApiVersion(file: string, document: RawObject): OpenApiVersion {
  const declared = String(document.openapi ?? document.swagger ?? '');
  if (declared.startsWith('3.0')) return '3.0';
  if (declared.startsWith('3.1')) return '3.1';
  throw new SpecError(
    file,
    `only OpenAPI 3.0 and 3.1 are supported (this file declares "${declared || 'no version'}")`,
  );
}

function collectOperations(spec: Spec): Operation[] {
  const operations: Operation[] = [];
  for (const [pathTemplate, item] of Object.entries(objectOf(spec.dereferenced.paths))) {
    const pathItem = objectOf(item);
    for (const method of HTTP_METHODS) {
      if (!Object.hasOwn(pathItem, method) || !pathItem[method]) continue;
      const operation = objectOf(pathItem[method]);
      const base: Segments = ['paths', pathTemplate];
      const requestBody = operation.requestBody ? objectOf(operation.requestBody) : undefined;
      operations.push({
        id: optionalText(operation.operationId) ?? `${method.toUpperCase()} ${pathTemplate}`,
        method,
        path: pathTemplate,
        summary: optionalText(operation.summary),
        parameters: collectParameters(spec, base, pathItem, method),
        requestBody: requestBody && {
          required: requestBody.required === true,
          content: collectContent(spec, [...base, method, 'requestBody', 'content'], requestBody.content),
        },
        responses: collectResponses(spec, [...base, method, 'responses'], objectOf(operation.responses)),
        security: collectSecurity(spec, listOf(operation.security ?? spec.dereferenced.security)),
        spec,
      });
    }
  }
  return operations;
}

// OpenAPI says header parameters with these names are ignored: other fields describe them.
const IGNORED_HEADERS = new Set(['accept', 'content-type', 'authorization']);

function collectParameters(spec: Spec, base: Segments, pathItem: RawObject, method: HttpMethod): Parameter[] {
  const byKey = new Map<string, Parameter>();
  const add = (list: unknown, owner: Segments) =>
    listOf(list).forEach((item, index) => {
      const parameter = objectOf(item);
      const where = PARAMETER_LOCATIONS.find((location) => location === parameter.in);
      const name = String(parameter.name ?? '');
      if (!where || (where === 'header' && IGNORED_HEADERS.has(name.toLowerCase()))) return;
      const schema = parameter.schema as JsonSchema | undefined;
      byKey.set(`${where}:${name}`, {
        name,
        in: where,
        required: where === 'path' || parameter.required === true,
        schema: schema ?? {},
        schemaPointer: schema ? locate(spec.bundled, [...owner, 'parameters', index, 'schema']) : undefined,
        style: optionalText(parameter.style),
        explode: typeof parameter.explode === 'boolean' ? parameter.explode : undefined,
        examples: collectExamples(parameter),
      });
    });
  add(pathItem.parameters, base);
  add(objectOf(pathItem[method]).parameters, [...base, method]);
  return [...byKey.values()];
}

function collectContent(spec: Spec, at: Segments, content: unknown): MediaType[] {
  return Object.entries(objectOf(content)).map(([mediaType, entry]) => {
    const media = objectOf(entry);
    const schema = media.schema as JsonSchema | undefined;
    return {
      mediaType,
      schema,
      schemaPointer: schema ? locate(spec.bundled, [...at, mediaType, 'schema']) : undefined,
      examples: collectExamples(media),
    };
  });
}

/** A media type's or parameter's `example` and named `examples` (Example objects with a `value`). */
function collectExamples(media: RawObject): Example[] {
  const examples: Example[] = Object.entries(objectOf(media.examples))
    .map(([name, example]) => [name, objectOf(example)] as const)
    .filter(([, example]) => 'value' in example)
    .map(([name, example]) => ({ name, value: example.value }));
  if (media.example !== undefined) examples.unshift({ name: 'example', value: media.example });
  return examples;
}

function collectResponses(spec: Spec, at: Segments, responses: RawObject): ResponseSpec[] {
  return Object.entries(responses).map(([status, entry]) => {
    const response = objectOf(entry);
    const headers = objectOf(response.headers);
    return {
      status: status.toUpperCase() === 'DEFAULT' ? 'default' : status.toUpperCase(),
      description: String(response.description ?? ''),
      content: collectContent(spec, [...at, status, 'content'], response.content),
      headers: Object.keys(headers),
      headerSpecs: Object.entries(headers)
        .filter(([name]) => name.toLowerCase() !== 'content-type')
        .map(([name, value]) => {
          const header = objectOf(value);
          const schema = header.schema as JsonSchema | undefined;
          return {
            name,
            required: header.required === true,
            schema,
            schemaPointer: schema ? locate(spec.bundled, [...at, status, 'headers', name, 'schema']) : undefined,
          };
        }),
    };
  });
}

function collectSecurity(spec: Spec, requirements: unknown[]): SecurityRequirement[] {
  // An empty alternative ({}) means anonymous access is allowed: no credentials are required.
  if (requirements.some((requirement) => Object.keys(objectOf(requirement)).length === 0)) return [];
  const schemes = objectOf(objectOf(spec.dereferenced.components).securitySchemes);
  return requirements.map((requirement) =>
    Object.keys(objectOf(requirement)).map(
      (key) => ({ ...objectOf(Object.hasOwn(schemes, key) ? schemes[key] : undefined), key }) as SecurityScheme,
    ),
  );
}
