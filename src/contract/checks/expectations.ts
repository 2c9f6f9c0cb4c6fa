/** Shared reading of responses for checks: media types, and the statuses a server may add. */
export { mediaTypeMatches, mediaTypeOf } from '../../openapi/media-type.js';

/** Statuses a server may reasonably answer though the operation does not list them. */
export const REASONABLE_UNDOCUMENTED = new Set([400, 401, 403, 404, 405, 406, 413, 415, 422, 429]);
