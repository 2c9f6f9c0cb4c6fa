/**
 * Response headers a spec documents for a status (`X-Rate-Limit`, `Location`...), sent with every
 * answer of that status: the header's example, else one built from its schema. An answer's own
 * headers (a created record's real `Location`) take precedence. Headers that frame the message or
 * the connection are the HTTP server's to set from what it actually sends: a documented
 * `Transfer-Encoding` (OpenAI's audio answer) copied as its example would make the answer invalid HTTP.
 */
import { exampleFromSchema } from '../openapi/example.js';
import { documentedResponse } from '../openapi/responses.js';
import type { Operation } from '../openapi/types.js';
import type { HeaderFields } from './cors.js';

interface DocumentedHeaders {
  /** Every documented header but Location, with its value. */
  fields: HeaderFields | undefined;
  /** Whether the answer documents a Location. */
  location: boolean;
}

/** Never sent from the spec: framing and connection headers (RFC 9112), and Content-Type (ignored by OpenAPI). */
const TRANSPORT_HEADERS: ReadonlySet<string> = new Set([
  'transfer-encoding',
  'content-length',
  'content-type',
  'connection',
  'keep-alive',
  'upgrade',
  'te',
  'trailer',
  'proxy-connection',
]);

const byOperation = new WeakMap<Operation, Map<number, DocumentedHeaders>>();

/** Worked out once per operation and status: both are read per request. */
function headersOf(operation: Operation, status: number): DocumentedHeaders {
  let byStatus = byOperation.get(operation);
  if (!byStatus) byOperation.set(operation, (byStatus = new Map()));
  let found = byStatus.get(status);
  if (!found) byStatus.set(status, (found = build(operation, status)));
  return found;
}

/** The documented headers of an operation's answer with this status; undefined when there are none. */
export function documentedHeaders(operation: Operation, status: number): HeaderFields | undefined {
  return headersOf(operation, status).fields;
}

/** Whether the status's documented answer carries a Location header. */
export function documentsLocation(operation: Operation, status: number): boolean {
  return headersOf(operation, status).location;
}

function build(operation: Operation, status: number): DocumentedHeaders {
  const specs = documentedResponse(operation, status)?.headerSpecs ?? [];
  const fields: HeaderFields = {};
  let location = false;
  for (const header of specs) {
    // A header that means "where the new record is" is only true with the record's own address (behaviours set it).
    if (header.name.toLowerCase() === 'location') {
      location = true;
      continue;
    }
    if (TRANSPORT_HEADERS.has(header.name.toLowerCase())) continue;
    const value = exampleFromSchema(header.schema, { direction: 'response' });
    if (value === undefined || value === null) continue;
    Object.defineProperty(fields, header.name, {
      value: Array.isArray(value) ? value.join(',') : typeof value === 'object' ? JSON.stringify(value) : String(value),
      enumerable: true,
    });
  }
  return { fields: Object.keys(fields).length > 0 ? fields : undefined, location };
}
