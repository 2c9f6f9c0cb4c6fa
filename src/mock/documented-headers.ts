/**
 * Response headers a spec documents for a status (`X-Rate-Limit`, `Location`...), sent with every
 * answer of that status: the header's example, else one built from its schema. An answer's own
 * headers (a created record's real `Location`) take precedence.
 */
import { exampleFromSchema } from '../spec/example.js';
import { documentedResponse } from '../spec/responses.js';
import type { Operation } from '../spec/types.js';
import type { HeaderFields } from './cors.js';

const byOperation = new WeakMap<Operation, Map<number, HeaderFields | null>>();

/** The documented headers of an operation's answer with this status, worked out once per status; undefined when there are none. */
export function documentedHeaders(operation: Operation, status: number): HeaderFields | undefined {
  let byStatus = byOperation.get(operation);
  if (!byStatus) byOperation.set(operation, (byStatus = new Map()));
  let headers = byStatus.get(status);
  if (headers === undefined) {
    headers = build(operation, status);
    byStatus.set(status, headers);
  }
  return headers ?? undefined;
}

function build(operation: Operation, status: number): HeaderFields | null {
  const specs = documentedResponse(operation, status)?.headerSpecs ?? [];
  const headers: HeaderFields = {};
  for (const header of specs) {
    // A header that means "where the new record is" is only true with the record's own address (behaviours set it).
    if (header.name.toLowerCase() === 'location') continue;
    const value = exampleFromSchema(header.schema, { direction: 'response' });
    if (value === undefined || value === null) continue;
    Object.defineProperty(headers, header.name, { value: Array.isArray(value) ? value.join(',') : typeof value === 'object' ? JSON.stringify(value) : String(value), enumerable: true });
  }
  return Object.keys(headers).length > 0 ? headers : null;
}

/** Whether the status's documented answer carries a Location header. */
export function documentsLocation(operation: Operation, status: number): boolean {
  return (documentedResponse(operation, status)?.headerSpecs ?? []).some((header) => header.name.toLowerCase() === 'location');
}
