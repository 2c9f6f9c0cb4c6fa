/** Fills in the `default` values a schema declares, as a server that honours its own spec would. */
import { isPlainObject } from './json-value.js';
import { type SchemaView, typeOfValue, viewOf } from './schema-view.js';
import type { JsonSchema } from './types.js';

/**
 * Returns a copy of `value` with missing properties set to their schema defaults, recursively.
 * For a union (anyOf/oneOf) the defaults come from the first object branch whose properties'
 * `const`, `enum` and numeric bounds agree with the value, so `{mode: 'text'}` gets the text
 * branch's defaults, and a value only one branch accepts gets that branch's.
 */
export function applyDefaults(schema: JsonSchema | undefined, value: unknown, depth = 0): unknown {
  if (!schema || typeof schema !== 'object' || depth > 16 || !declaresDefaults(schema)) return value;
  const view = viewOf(schema);
  if (view.branches.length > 0) {
    const branch = view.branches.find((candidate) => branchAccepts(candidate, value));
    return branch ? applyDefaults(branch, value, depth + 1) : value;
  }
  if (Array.isArray(value) && view.items) return value.map((item) => applyDefaults(view.items, item, depth + 1));
  if (!isPlainObject(value)) return value;
  const out = copyOwn(value);
  for (const [name, property] of propertiesWithDefaults(view)) {
    if (!Object.hasOwn(out, name) || out[name] === undefined) {
      const fallback = viewOf(property).merged.default;
      if (fallback === undefined) continue;
      // Only objects need a copy: a request must not be able to change the spec's default.
      out[name] = fallback !== null && typeof fallback === 'object' ? structuredClone(fallback) : fallback;
    } else {
      out[name] = applyDefaults(property, out[name], depth + 1);
    }
  }
  const extra = view.additional;
  if (isPlainObject(extra) && declaresDefaults(extra)) {
    for (const name of Object.keys(out)) {
      if (!view.properties.has(name)) out[name] = applyDefaults(extra, out[name], depth + 1);
    }
  }
  return out;
}

/**
 * A shallow copy of a request's object. `Object.assign` would *set* an own `__proto__` key (which
 * JSON.parse keeps as plain data) and so replace the copy's prototype with attacker data; a spread
 * defines it as an ordinary property instead. Not always a spread: V8 makes adding the defaults to a
 * spread copy ~10x slower (measured), and bodies with that key are rare.
 */
function copyOwn(value: Record<string, unknown>): Record<string, unknown> {
  return Object.hasOwn(value, '__proto__') ? { ...value } : Object.assign({}, value);
}

const SUBSCHEMA_LISTS = ['anyOf', 'oneOf', 'allOf', 'prefixItems'] as const;
const SUBSCHEMAS = ['items', 'additionalProperties', 'not', 'if', 'then', 'else'] as const;

const declaring = new WeakMap<object, boolean>();

/**
 * Whether a `default` is declared anywhere under a schema, worked out once per schema object: a
 * request body is then walked only where defaults can be filled in. A reference cycle counts as
 * declaring one (walking is always correct, merely slower).
 */
function declaresDefaults(schema: object, visiting = new Set<object>()): boolean {
  const known = declaring.get(schema);
  if (known !== undefined) return known;
  if (visiting.has(schema)) return true;
  visiting.add(schema);
  const s = schema as Record<string, unknown>;
  const children: unknown[] = isPlainObject(s.properties) ? Object.values(s.properties) : [];
  for (const key of SUBSCHEMA_LISTS) {
    const list = s[key];
    if (Array.isArray(list)) children.push(...list);
  }
  for (const key of SUBSCHEMAS) children.push(s[key]);
  const found =
    s.default !== undefined ||
    children.some((child) => child !== null && typeof child === 'object' && declaresDefaults(child, visiting));
  visiting.delete(schema);
  declaring.set(schema, found);
  return found;
}

const defaultedProperties = new WeakMap<SchemaView, [string, JsonSchema][]>();

/** The properties of an object schema under which a default is declared. */
function propertiesWithDefaults(view: SchemaView): [string, JsonSchema][] {
  let found = defaultedProperties.get(view);
  if (!found) {
    found = [...view.properties].filter(([, property]) => isPlainObject(property) && declaresDefaults(property));
    defaultedProperties.set(view, found);
  }
  return found;
}

/** Whether a union branch can be the one a value takes: its types, and its properties' scalar keywords. */
function branchAccepts(branch: JsonSchema, value: unknown): boolean {
  if (!isPlainObject(branch)) return false;
  const view = viewOf(branch);
  if (!view.admits.has(typeOfValue(value))) return false;
  if (!isPlainObject(value)) return true;
  return [...view.properties].every(
    ([name, property]) =>
      !Object.hasOwn(value, name) || value[name] === undefined || fitsScalarKeywords(property, value[name]),
  );
}

/** A cheap check of the scalar keywords a branch puts on a property: enough to tell union branches apart. */
function fitsScalarKeywords(property: JsonSchema, value: unknown): boolean {
  if (!isPlainObject(property)) return true;
  const view = viewOf(property);
  const primitive = value === null || typeof value !== 'object';
  if (primitive && view.members && !view.members.includes(value)) return false;
  if (typeof value !== 'number') return true;
  const { min, max, minExcluded, maxExcluded } = view.bounds;
  return !(
    (min !== undefined && (minExcluded ? value <= min : value < min)) ||
    (max !== undefined && (maxExcluded ? value >= max : value > max))
  );
}
