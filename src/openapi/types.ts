/** The spec engine's view of an OpenAPI document: what the mock and the contract suite both consume. */
import type { JsonObject } from './json-value.js';

export type JsonSchema = Record<string, unknown> | boolean;

export type OpenApiVersion = '3.0' | '3.1';

export type HttpMethod = 'get' | 'put' | 'post' | 'delete' | 'options' | 'head' | 'patch' | 'trace';

export const HTTP_METHODS: readonly HttpMethod[] = [
  'get',
  'put',
  'post',
  'delete',
  'options',
  'head',
  'patch',
  'trace',
];

export type ParameterLocation = 'path' | 'query' | 'header' | 'cookie';

export interface Parameter {
  name: string;
  in: ParameterLocation;
  required: boolean;
  /** Dereferenced schema, for walking (generation, examples). */
  schema: JsonSchema;
  /** JSON pointer of the schema inside the bundled document, for validation. */
  schemaPointer: string | undefined;
  style?: string;
  explode?: boolean;
  /** The Parameter object's own `example` / `examples` (its schema's are read from the schema). */
  examples: Example[];
}

export interface Example {
  name: string;
  value: unknown;
}

export interface MediaType {
  mediaType: string;
  schema: JsonSchema | undefined;
  schemaPointer: string | undefined;
  examples: Example[];
}

export interface RequestBody {
  required: boolean;
  content: MediaType[];
}

export interface ResponseSpec {
  /** '200', '4XX' or 'default'. */
  status: string;
  description: string;
  content: MediaType[];
  headers: string[];
  /** The documented headers with their schemas (Content-Type excluded, as OpenAPI says). */
  headerSpecs: ResponseHeader[];
}

export interface ResponseHeader {
  name: string;
  required: boolean;
  schema: JsonSchema | undefined;
  schemaPointer: string | undefined;
}

export interface ApiKeyScheme {
  type: 'apiKey';
  name: string;
  in: 'header' | 'query' | 'cookie';
}

export interface HttpScheme {
  type: 'http';
  scheme: string;
}

export interface OtherScheme {
  type: 'oauth2' | 'openIdConnect' | 'mutualTLS';
}

export type SecurityScheme = (ApiKeyScheme | HttpScheme | OtherScheme) & { key: string };

/** One alternative of an operation's security: every scheme in it must be satisfied. */
export type SecurityRequirement = SecurityScheme[];

export interface Operation {
  /** operationId, or "METHOD /path" when the spec gives none. */
  id: string;
  method: HttpMethod;
  path: string;
  summary: string | undefined;
  parameters: Parameter[];
  requestBody: RequestBody | undefined;
  responses: ResponseSpec[];
  /** Alternatives; empty means no credentials are needed. */
  security: SecurityRequirement[];
  /** The document this operation belongs to. */
  spec: Spec;
}

export interface Spec {
  /** Short name used in reports and routing, from the file name ("feather" for specs/feather.yaml). */
  name: string;
  file: string;
  version: OpenApiVersion;
  title: string;
  /** The bundled document: internal $refs intact, used by the validators. */
  bundled: JsonObject;
  /** The dereferenced document: $refs replaced by the objects they name (may be cyclic). */
  dereferenced: JsonObject;
  operations: Operation[];
  /** What the engine reads but does not act on (unknown formats, webhooks...), said once at load. */
  warnings: string[];
}
