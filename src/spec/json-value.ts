/** Tests on JSON values and text, shared by the spec engine, the mock, its state file and the harness. */

/** A JSON object: not null, not an array. */
export function isPlainObject(value: unknown): value is Record<string, any> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** True when JSON text nests deeper than `limit`; one pass over the text, brackets inside strings ignored. */
export function exceedsJsonDepth(text: string, limit: number): boolean {
  // Each level opens with a bracket of its own, so text this short cannot nest too deep.
  if (text.length <= limit) return false;
  let depth = 0;
  let inString = false;
  for (let at = 0; at < text.length; at++) {
    const char = text.charCodeAt(at);
    if (inString) {
      if (char === 0x5c) at++; // backslash: skip the escaped character
      else if (char === 0x22) inString = false;
    } else if (char === 0x22) {
      inString = true;
    } else if (char === 0x7b || char === 0x5b) {
      if (++depth > limit) return true;
    } else if (char === 0x7d || char === 0x5d) {
      depth--;
    }
  }
  return false;
}
