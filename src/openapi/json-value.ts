/** Tests on JSON values and text, shared by the spec engine, the mock, its state file and the harness. */

/** A value JSON (or YAML read as JSON) can hold. */
export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;

/** A JSON object. Reading a key gives `undefined` too: any key may be absent. */
export interface JsonObject {
  [key: string]: JsonValue | undefined;
}

/** A JSON object: not null, not an array. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** True when JSON text nests deeper than `limit`; one pass over the text, brackets inside strings ignored. */
export function exceedsJsonDepth(text: string, limit: number): boolean {
  // Each level opens with a bracket of its own, so text this short cannot nest too deep.
  if (text.length <= limit) return false;
  // Nor can text with no more opening brackets than that; counted by native search, most bodies have a handful.
  if (countUpTo(text, '{', limit) + countUpTo(text, '[', limit) <= limit) return false;
  let depth = 0;
  let inString = false;
  for (let at = 0; at < text.length; at++) {
    const char = text.charCodeAt(at);
    if (inString) {
      if (char === 0x5c)
        at++; // backslash: skip the escaped character
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

/** How often `char` occurs in `text`, counting no further than `limit` + 1. */
function countUpTo(text: string, char: string, limit: number): number {
  let count = 0;
  for (let at = text.indexOf(char); at !== -1 && count <= limit; at = text.indexOf(char, at + 1)) count++;
  return count;
}

/**
 * About how many characters a value takes as JSON, without building the string: strings by their
 * length (escapes aside), numbers as 8. Walked with a stack, so any depth is safe; a large string
 * costs nothing to measure.
 */
export function estimateJsonLength(value: unknown): number {
  let length = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const node = stack.pop();
    switch (typeof node) {
      case 'string':
        length += node.length + 2;
        break;
      case 'number':
        length += 8;
        break;
      case 'boolean':
        length += 5;
        break;
      case 'object':
        if (node === null) length += 4;
        else if (Array.isArray(node)) {
          length += 2 + node.length;
          for (const item of node) stack.push(item);
        } else {
          length += 2;
          // Records are JSON data: no enumerable inherited keys to pick up.
          for (const key in node) {
            length += key.length + 4;
            stack.push((node as Record<string, unknown>)[key]);
          }
        }
        break;
    }
  }
  return length;
}
