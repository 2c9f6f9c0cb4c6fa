/** Media types as requests and responses carry them, matched against the ones a spec documents. */

/**
 * Readings of media type texts, each made once: a run sees a handful of Content-Type values and
 * documented types, judged several times per exchange. Bounded, as the texts come from targets.
 */
const MEMO_LIMIT = 1024;
function memoized<T>(read: (text: string) => T): (text: string) => T {
  const memo = new Map<string, T>();
  return (text) => {
    let value = memo.get(text);
    if (value === undefined && !memo.has(text)) {
      value = read(text);
      if (memo.size < MEMO_LIMIT && text.length <= 256) memo.set(text, value);
    }
    return value as T;
  };
}

const essenceOf = memoized((contentType) => contentType.split(';')[0].trim().toLowerCase() || undefined);
const typeAndSubtype = memoized((mediaType) => mediaType.toLowerCase().split(';')[0].trim().split('/'));

/** `application/json; charset=utf-8` → `application/json`. */
export function mediaTypeOf(contentType: string | undefined): string | undefined {
  return contentType === undefined ? undefined : essenceOf(contentType);
}

/** Does a documented media type (possibly a range like application/*) cover an actual one? */
export function mediaTypeMatches(documented: string, actual: string): boolean {
  const [docType, docSub] = typeAndSubtype(documented);
  const [type, sub] = typeAndSubtype(actual);
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
