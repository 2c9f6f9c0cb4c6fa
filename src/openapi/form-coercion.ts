/**
 * Form and multipart fields arrive as strings; the schema says what they are. Each string is read
 * back as the type its schema wants (`"5"` → 5 for an integer, `"true"` → true, `""` → null where
 * null is allowed); a multipart part holding an object or array is its JSON text, as OpenAPI's
 * default encoding for such parts says. A value that does not read as the wanted type stays a
 * string, and validation names it.
 */
import qs from 'qs';
import { isPlainObject } from './json-value.js';
import { readsAsString, type SchemaView, scalarFromText, viewOf, wantsArray } from './schema-view.js';
import type { JsonSchema } from './types.js';

export type FieldEncoding = 'form' | 'multipart';

/** An object parameter's fields, still text: what `parameterText` finds for an object schema. */
export interface TextFields {
  [name: string]: unknown;
}

/** Bounds on what a form body may expand into: qs refuses to build more than this. */
const FORM_LIMITS = { depth: 16, parameterLimit: 1000, arrayLimit: 100 } as const;

/**
 * An `application/x-www-form-urlencoded` body as a server reads it: qs's bracket notation
 * (`b[c]=2`) parsed into objects, each field read as the type its schema wants. The mock reads
 * forms with it, and the harness judges the form probes it sends by it.
 */
export function readFormBody(text: string, schema: JsonSchema | undefined): unknown {
  return coerceToSchema(bracketFields(text), schema, 'form');
}

/** Nested fields of text as one object, bounded (`a[b][c]=1` → `{a: {b: {c: "1"}}}`): form bodies and deepObject parameters. */
export function bracketFields(text: string): Record<string, unknown> {
  return qs.parse(text, { ...FORM_LIMITS, plainObjects: true, allowPrototypes: false, parseArrays: false });
}

/**
 * A parameter's text (each value where it repeats, or an object's fields) as the server reads it: the
 * type its schema asks for, an array where the schema wants one (`a=1&a=2`, or `1,2`). The mock
 * reads parameters with it, and the harness judges the parameter probes it sends by it.
 */
export function parameterFromText(raw: string | string[] | TextFields, schema: JsonSchema | undefined): unknown {
  if (!Array.isArray(raw) && typeof raw === 'object') return coerceToSchema(raw, schema, 'form');
  const view = viewOf(schema);
  if (wantsArray(view)) {
    const items = Array.isArray(raw) ? raw : raw === '' ? [] : raw.split(',');
    const itemSchema = shapeOf(view, 'array').items;
    return items.map((item) => parameterFromText(item, itemSchema));
  }
  return scalarFromText(Array.isArray(raw) ? raw[raw.length - 1] : raw, schema);
}

export function coerceToSchema(
  value: unknown,
  schema: JsonSchema | undefined,
  encoding: FieldEncoding,
  depth = 0,
): unknown {
  if (!isPlainObject(schema) || depth > 32) return value;
  const view = viewOf(schema);
  const types = view.admits;
  if (typeof value === 'string') return fromString(value, types, schema, encoding, depth);
  if (Array.isArray(value)) {
    const items = shapeOf(view, 'array').items;
    return types.has('array') ? value.map((item) => coerceToSchema(item, items, encoding, depth + 1)) : value;
  }
  if (isPlainObject(value)) {
    const shape = shapeOf(view, 'object');
    const rest = isPlainObject(shape.additional) ? shape.additional : undefined;
    // qs builds arrays with numeric keys as objects once they pass its array limit; a schema that wants an array gets one.
    if (types.has('array') && !types.has('object') && Object.keys(value).every((key) => /^\d+$/.test(key))) {
      return coerceToSchema(
        Object.keys(value)
          .sort((a, b) => Number(a) - Number(b))
          .map((key) => value[key]),
        schema,
        encoding,
        depth,
      );
    }
    const result: Record<string, unknown> = Object.create(null);
    for (const [name, item] of Object.entries(value)) {
      const declared = shape.properties.get(name) ?? rest;
      result[name] = coerceToSchema(item, declared, encoding, depth + 1);
    }
    return result;
  }
  return value;
}

/**
 * The part of a schema that describes a value of this type: the schema itself, or in a union the
 * first branch that admits the type (Stripe's `anyOf: [{properties: {day, month, year}}, {enum: [""]}]`
 * keeps the properties in a branch).
 */
export function shapeOf(view: SchemaView, type: 'object' | 'array', depth = 0): SchemaView {
  if (view.branches.length === 0 || depth > 8) return view;
  const branch = view.branches.map((b) => viewOf(b)).find((b) => b.admits.has(type));
  return branch ? shapeOf(branch, type, depth + 1) : view;
}

function fromString(
  text: string,
  types: ReadonlySet<string>,
  schema: JsonSchema,
  encoding: FieldEncoding,
  depth: number,
): unknown {
  const scalar = scalarFromText(text, schema);
  if (scalar !== text || readsAsString(text, schema)) return scalar;
  if (types.has('array') && encoding === 'form') return [scalarFromText(text, shapeOf(viewOf(schema), 'array').items)];
  if ((types.has('object') || types.has('array')) && encoding === 'multipart') {
    try {
      return coerceToSchema(JSON.parse(text), schema, encoding, depth + 1);
    } catch {
      return text;
    }
  }
  return text;
}
