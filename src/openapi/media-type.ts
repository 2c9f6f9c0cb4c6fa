/** Media types as requests and responses carry them, matched against the ones a spec documents. */

/** `application/json; charset=utf-8` → `application/json`. */
export function mediaTypeOf(contentType: string | undefined): string | undefined {
  return contentType?.split(';')[0].trim().toLowerCase() || undefined;
}

/** Does a documented media type (possibly a range like application/*) cover an actual one? */
export function mediaTypeMatches(documented: string, actual: string): boolean {
  const [docType, docSub] = documented.toLowerCase().split(';')[0].trim().split('/');
  const [type, sub] = actual.split('/');
  return (docType === '*' || docType === type) && (docSub === '*' || docSub === sub);
}

export function isJsonType(mediaType: string): boolean {
  if (mediaType === 'application/json') return true;
  const type = mediaType.split(';')[0].trim().toLowerCase();
  return type === 'application/json' || type.endsWith('+json');
}

/** How a body of this media type is written: parley reads and writes JSON, forms and multipart; others pass as text. */
export type BodyEncoding = 'json' | 'form' | 'multipart' | 'text' | 'binary';

const encodings = new Map<string, BodyEncoding>();

/** Called per request with the spec's own media types (a small, fixed set): each is read once. */
export function bodyEncodingOf(mediaType: string): BodyEncoding {
  let encoding = encodings.get(mediaType);
  if (encoding === undefined) {
    encoding = readEncoding(mediaType);
    if (encodings.size < 1024) encodings.set(mediaType, encoding);
  }
  return encoding;
}

function readEncoding(mediaType: string): BodyEncoding {
  const type = mediaType.split(';')[0].trim().toLowerCase();
  if (isJsonType(type)) return 'json';
  if (type === 'application/x-www-form-urlencoded') return 'form';
  if (type === 'multipart/form-data') return 'multipart';
  if (type.startsWith('text/') || type.endsWith('/xml') || type.endsWith('+xml')) return 'text';
  return 'binary';
}
