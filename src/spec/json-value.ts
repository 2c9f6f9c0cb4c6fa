/** Tests on parsed JSON values, shared by the spec engine, the mock and its state file. */

/** A JSON object: not null, not an array. */
export function isPlainObject(value: unknown): value is Record<string, any> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
