/**
 * Parses a request body's JSON, for the API routes and the admin routes alike.
 *
 * It caps how deeply a body may nest arrays and objects. JSON.parse copes with any depth,
 * but a record nested thousands deep breaks everything recursive that touches it later
 * (JSON.stringify of the answer, of GET /__parley/state, of the state file) with a stack overflow.
 */
import { exceedsJsonDepth } from '../openapi/json-value.js';

export const MAX_JSON_DEPTH = 128;

/** A number literal that may overflow a double: an exponent of three digits, or 309 digits in a row. */
const MAYBE_OVERFLOWING = /\d[eE]\+?\d{3}|\d{309}/;
/** The same for a text too short to hold 309 digits: one pass for the exponent alone. */
const LARGE_EXPONENT = /\d[eE]\+?\d{3}/;

/**
 * Where a parsed value holds a number JSON.parse turned into ±Infinity (e.g. `1e309`): schemas
 * accept it as an integer, but no date, JSON answer or state file can hold it. Walked with a stack,
 * not recursion; only bodies whose text has such a literal are walked at all.
 */
function nonFiniteNumberAt(text: string, value: unknown): (string | number)[] | undefined {
  if (!(text.length < 309 ? LARGE_EXPONENT : MAYBE_OVERFLOWING).test(text)) return undefined;
  const stack: [unknown, (string | number)[]][] = [[value, []]];
  while (stack.length > 0) {
    const [node, path] = stack.pop()!;
    if (typeof node === 'number') {
      if (!Number.isFinite(node)) return path;
    } else if (Array.isArray(node)) {
      for (const [index, item] of node.entries()) stack.push([item, [...path, index]]);
    } else if (node !== null && typeof node === 'object') {
      for (const [key, item] of Object.entries(node)) stack.push([item, [...path, key]]);
    }
  }
  return undefined;
}

export type ParsedJson =
  | { ok: true; value: unknown }
  | { ok: false; problem: 'too-deep'; message: string }
  /** `path` leads to the number, from the body's root. */
  | { ok: false; problem: 'out-of-range'; message: string; path: (string | number)[] }
  /** `reason` is JSON.parse's own words; `position` where it stopped. */
  | { ok: false; problem: 'invalid'; message: string; reason: string; position: number };

/** The parsed value, or why the text is refused, with the message both the API and admin routes answer. */
export function parseJsonBody(text: string): ParsedJson {
  if (exceedsJsonDepth(text, MAX_JSON_DEPTH)) {
    return {
      ok: false,
      problem: 'too-deep',
      message: `The request body nests arrays and objects more than ${MAX_JSON_DEPTH} levels deep`,
    };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const reason = (error as Error).message;
    const position = Number(/position (\d+)/.exec(reason)?.[1] ?? 0);
    return {
      ok: false,
      problem: 'invalid',
      message: `The request body is not valid JSON: ${reason}`,
      reason,
      position,
    };
  }
  const path = nonFiniteNumberAt(text, value);
  if (path) {
    const where = path.length > 0 ? ` at ${path.join('.')}` : '';
    return {
      ok: false,
      problem: 'out-of-range',
      message: `The request body has a number${where} beyond the range of a double (about ±1.8e308)`,
      path,
    };
  }
  return { ok: true, value };
}
