/** The specs served, as the dashboard lists them: operations, documented answers and a ready request for each. */
import { exampleFromSchema } from '../../openapi/example.js';
import type { Operation, SecurityScheme, Spec } from '../../openapi/types.js';

export interface CatalogueOperation {
  id: string;
  method: string;
  path: string;
  summary: string | undefined;
  /** Documented statuses with the names of their examples: each is a one-click `Prefer` request. */
  responses: { status: number; examples: string[] }[];
  /** Where the caller's key goes, if the operation needs one. */
  credential: { header: string; prefix: string } | { query: string } | undefined;
  /** The path with each parameter filled from its schema, and a body that passes validation. */
  samplePath: string;
  sampleBody: unknown;
}

export interface CatalogueSpec {
  name: string;
  title: string;
  file: string;
  operations: CatalogueOperation[];
}

export function catalogue(specs: readonly Spec[]): CatalogueSpec[] {
  return specs.map((spec) => ({
    name: spec.name,
    title: spec.title,
    file: spec.file,
    operations: spec.operations.map(describeOperation),
  }));
}

function describeOperation(operation: Operation): CatalogueOperation {
  const samplePath = operation.path.replace(/\{([^}]+)\}/g, (_whole, name: string) => {
    const parameter = operation.parameters.find((p) => p.in === 'path' && p.name === name);
    const value = parameter ? exampleFromSchema(parameter.schema, { direction: 'request' }) : undefined;
    return encodeURIComponent(typeof value === 'string' || typeof value === 'number' ? String(value) : 'example');
  });
  const media =
    operation.requestBody?.content.find((m) => m.mediaType === 'application/json') ?? operation.requestBody?.content[0];
  return {
    id: operation.id,
    method: operation.method.toUpperCase(),
    path: operation.path,
    summary: operation.summary,
    responses: operation.responses
      .filter((response) => /^\d{3}$/.test(response.status))
      .map((response) => ({
        status: Number(response.status),
        examples: response.content[0]?.examples.map((example) => example.name) ?? [],
      })),
    credential: credentialOf(operation.security[0]?.[0]),
    samplePath,
    sampleBody: media
      ? (media.examples[0]?.value ?? exampleFromSchema(media.schema, { direction: 'request' }))
      : undefined,
  };
}

function credentialOf(scheme: SecurityScheme | undefined): CatalogueOperation['credential'] {
  if (!scheme) return undefined;
  if (scheme.type === 'apiKey')
    return scheme.in === 'query' ? { query: scheme.name } : { header: scheme.name.toLowerCase(), prefix: '' };
  if (scheme.type === 'http')
    return {
      header: 'authorization',
      prefix: `${scheme.scheme.charAt(0).toUpperCase()}${scheme.scheme.slice(1).toLowerCase()} `,
    };
  return { header: 'authorization', prefix: 'Bearer ' };
}
