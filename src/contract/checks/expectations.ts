/** Shared reading of responses for checks: media types, and the statuses a server may add. */

export function mediaTypeOf(contentType: string | undefined): string | undefined {
  return contentType?.split(';')[0].trim().toLowerCase() || undefined;
}

/** Does a documented media type (possibly a range like application/*) cover an actual one? */
export function mediaTypeMatches(documented: string, actual: string): boolean {
  const [docType, docSub] = documented.toLowerCase().split('/');
  const [type, sub] = actual.split('/');
  return (docType === '*' || docType === type) && (docSub === '*' || docSub === sub);
}

/** Statuses a server may reasonably answer though the operation does not list them. */
export const REASONABLE_UNDOCUMENTED = new Set([400, 401, 403, 404, 405, 406, 413, 415, 422, 429]);
