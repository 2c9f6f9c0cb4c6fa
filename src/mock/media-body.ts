/**
 * Answers in media types other than JSON: text as the example's string, images and other bytes as
 * the example's text or, with none, the smallest valid file of the type (a 1×1 PNG or GIF, an empty
 * PDF), so a client that decodes what it is sent gets something it can decode.
 */
import { bodyEncodingOf } from '../openapi/media-type.js';

const PLACEHOLDERS: ReadonlyMap<string, Uint8Array> = new Map([
  [
    'image/png',
    Buffer.from(
      'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
      'base64',
    ),
  ],
  ['image/gif', Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64')],
  [
    'application/pdf',
    Buffer.from(
      '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
      'latin1',
    ),
  ],
]);

/** The bytes or text of a non-JSON answer. */
export function nonJsonPayload(body: unknown, mediaType: string): string | Uint8Array {
  const type = mediaType.split(';')[0].trim().toLowerCase();
  if (bodyEncodingOf(type) === 'text')
    return typeof body === 'string' ? body : body === undefined ? '' : JSON.stringify(body);
  const placeholder = PLACEHOLDERS.get(type);
  // A schema-built string for `format: binary` is no file of this type; a spec's own example string is kept.
  if (placeholder && (typeof body !== 'string' || body === '' || body === 'string')) return placeholder;
  return typeof body === 'string' ? body : Buffer.alloc(0);
}
