/** Reading an operation's documented responses: which one answers a status, and what shape an error schema has. */
import { isPlainObject } from './json-value.js';
import type { JsonSchema, MediaType, Operation, ResponseSpec } from './types.js';

export type ErrorStyle =
  /** FastAPI: `{detail: [{loc, msg, type}]}` for validation, `{detail: "..."}` otherwise. */
  | 'fastapi'
  /** `{success: false, error: {code, message, details}}` (ElizaOS). */
  | 'envelope'
  /** `{error, message}` (Feather's ErrorResponse). */
  | 'error-message'
  /** RFC 9457 problem details: the fallback for specs that document no error shape. */
  | 'problem'
  /** Any other documented error schema: a body built from the schema itself. */
  | 'schema';

export function classifyErrorSchema(schema: JsonSchema | undefined): ErrorStyle | undefined {
  if (!schema || typeof schema !== 'object') return undefined;
  const properties = isPlainObject(schema.properties) ? schema.properties : {};
  const property = (name: string): Record<string, unknown> | undefined =>
    Object.hasOwn(properties, name) && isPlainObject(properties[name]) ? properties[name] : undefined;
  const detail = property('detail');
  const error = property('error');
  if (detail && (detail.type === 'array' || detail.items)) return 'fastapi';
  if (property('success') && error && (error.type === 'object' || error.properties)) return 'envelope';
  if (error && property('message')) return 'error-message';
  if (property('title') && (property('status') || property('type'))) return 'problem';
  return undefined;
}

/** The documented response for a status: exact code, then its class ("4XX"), then default. */
export function documentedResponse(operation: Operation, status: number): ResponseSpec | undefined {
  const exact = String(status);
  const range = `${exact[0]}XX`;
  return (
    operation.responses.find((r) => r.status === exact) ??
    operation.responses.find((r) => r.status === range) ??
    (status >= 400 ? operation.responses.find((r) => r.status === 'default') : undefined)
  );
}

/**
 * The media type a server answers with for a documented response: JSON where it is one of the
 * documented types (what clients and the contract harness read), else the first documented.
 */
export function answerMedia(response: ResponseSpec | undefined): MediaType | undefined {
  return response?.content.find((media) => /json/i.test(media.mediaType)) ?? response?.content[0];
}

/** The 2xx statuses an operation documents, lowest first. */
export function documentedSuccessStatuses(operation: Operation): number[] {
  return operation.responses
    .map((r) => Number(r.status))
    .filter((status) => status >= 200 && status < 300)
    .sort((a, b) => a - b);
}

export function isDocumented(operation: Operation, status: number): boolean {
  const exact = String(status);
  return operation.responses.some((r) => r.status === exact || r.status === `${exact[0]}XX`);
}
