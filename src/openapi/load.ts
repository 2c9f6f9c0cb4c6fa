/** Loads, validates and indexes an OpenAPI 3.0/3.1 file into the engine's `Spec`. */
import path from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';
import { locate } from './pointer.js';
import { schemaDocumentOf, unknownFormats } from './schema-document.js';
import {
  HTTP_METHODS,
  type Example,
  type HttpMethod,
  type MediaType,
  type OpenApiVersion,
  type Operation,
  type Parameter,
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

export async function loadSpec(file: string): Promise<Spec> {
  let bundled: Record<string, any>;
  let dereferenced: Record<string, any>;
  try {
    bundled = (await SwaggerParser.bundle(file)) as Record<string, any>;
    dereferenced = (await SwaggerParser.validate(structuredClone(bundled) as any)) as Record<string, any>;
  } catch (error) {
    throw new SpecError(file, (error as Error).message.split('\n').slice(0, 12).join('\n'));
  }
  const version = openApiVersion(file, bundled);
  const spec: Spec = {
    name: path.basename(file).replace(/\.(ya?ml|json)$/i, ''),
    file,
    version,
    title: String(bundled.info?.title ?? ''),
    bundled,
    dereferenced,
    operations: [],
    warnings: [],
  };
  // The validators' document, built now: its walk also records the discriminators generators read.
  schemaDocumentOf(spec);
  spec.operations = collectOperations(spec);
  spec.warnings = loadWarnings(spec);
  return spec;
}

export async function loadSpecs(files: readonly string[]): Promise<Spec[]> {
  const specs = await Promise.all(files.map(loadSpec));
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

function openApiVersion(file: string, document: Record<string, any>): OpenApiVersion {
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
  for (const [pathTemplate, pathItem] of Object.entries<any>(spec.dereferenced.paths ?? {})) {
    for (const method of HTTP_METHODS) {
      const operation = pathItem?.[method];
      if (!operation) continue;
      const base: Segments = ['paths', pathTemplate];
      operations.push({
        id: operation.operationId ?? `${method.toUpperCase()} ${pathTemplate}`,
        method,
        path: pathTemplate,
        summary: operation.summary,
        parameters: collectParameters(spec, base, pathItem, method),
        requestBody: operation.requestBody && {
          required: operation.requestBody.required === true,
          content: collectContent(spec, [...base, method, 'requestBody', 'content'], operation.requestBody.content),
        },
        responses: collectResponses(spec, [...base, method, 'responses'], operation.responses ?? {}),
        security: collectSecurity(spec, operation.security ?? spec.dereferenced.security ?? []),
        spec,
      });
    }
  }
  return operations;
}

// OpenAPI says header parameters with these names are ignored: other fields describe them.
const IGNORED_HEADERS = new Set(['accept', 'content-type', 'authorization']);

function collectParameters(spec: Spec, base: Segments, pathItem: any, method: HttpMethod): Parameter[] {
  const byKey = new Map<string, Parameter>();
  const add = (list: any[] | undefined, owner: Segments) =>
    (list ?? []).forEach((parameter, index) => {
      if (parameter.in === 'header' && IGNORED_HEADERS.has(String(parameter.name).toLowerCase())) return;
      byKey.set(`${parameter.in}:${parameter.name}`, {
        name: parameter.name,
        in: parameter.in,
        required: parameter.in === 'path' || parameter.required === true,
        schema: parameter.schema ?? {},
        schemaPointer: parameter.schema ? locate(spec.bundled, [...owner, 'parameters', index, 'schema']) : undefined,
        style: parameter.style,
        explode: parameter.explode,
        examples: collectExamples(parameter),
      });
    });
  add(pathItem.parameters, base);
  add(pathItem[method].parameters, [...base, method]);
  return [...byKey.values()];
}

function collectContent(spec: Spec, at: Segments, content: Record<string, any> | undefined): MediaType[] {
  return Object.entries(content ?? {}).map(([mediaType, media]) => ({
    mediaType,
    schema: media.schema,
    schemaPointer: media.schema ? locate(spec.bundled, [...at, mediaType, 'schema']) : undefined,
    examples: collectExamples(media),
  }));
}

function collectExamples(media: any): Example[] {
  const examples: Example[] = Object.entries<any>(media.examples ?? {})
    .filter(([, example]) => example && 'value' in example)
    .map(([name, example]) => ({ name, value: example.value }));
  if (media.example !== undefined) examples.unshift({ name: 'example', value: media.example });
  return examples;
}

function collectResponses(spec: Spec, at: Segments, responses: Record<string, any>): ResponseSpec[] {
  return Object.entries(responses).map(([status, response]) => ({
    status: status.toUpperCase() === 'DEFAULT' ? 'default' : status.toUpperCase(),
    description: String(response?.description ?? ''),
    content: collectContent(spec, [...at, status, 'content'], response?.content),
    headers: Object.keys(response?.headers ?? {}),
    headerSpecs: Object.entries<any>(response?.headers ?? {})
      .filter(([name]) => name.toLowerCase() !== 'content-type')
      .map(([name, header]) => ({
        name,
        required: header?.required === true,
        schema: header?.schema,
        schemaPointer: header?.schema ? locate(spec.bundled, [...at, status, 'headers', name, 'schema']) : undefined,
      })),
  }));
}

function collectSecurity(spec: Spec, requirements: Record<string, string[]>[]): SecurityRequirement[] {
  // An empty alternative ({}) means anonymous access is allowed: no credentials are required.
  if (requirements.some((requirement) => Object.keys(requirement).length === 0)) return [];
  const schemes = spec.dereferenced.components?.securitySchemes ?? {};
  return requirements.map((requirement) =>
    Object.keys(requirement).map((key): SecurityScheme => ({ ...schemes[key], key })),
  );
}
