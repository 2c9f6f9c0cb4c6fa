/**
 * Form and multipart fields arrive as strings; the schema says what they are. Each string is read
 * back as the type its schema wants (`"5"` → 5 for an integer, `"true"` → true, `""` → null where
 * null is allowed); a multipart part holding an object or array is its JSON text, as OpenAPI's
 * default encoding for such parts says. A value that does not read as the wanted type stays a
 * string, and validation names it.
 */
import { isPlainObject } from '../openapi/json-value.js';
import { typesOf } from '../openapi/schema-types.js';
import type { JsonSchema } from '../openapi/types.js';

export type FieldEncoding = 'form' | 'multipart';

export function coerceToSchema(
  value: unknown,
  schema: JsonSchema | undefined,
  encoding: FieldEncoding,
  depth = 0,
): unknown {
  if (!isPlainObject(schema) || depth > 32) return value;
  const types = typesAdmitted(schema);
  if (typeof value === 'string') return fromString(value, types, schema, encoding, depth);
  if (Array.isArray(value)) {
    const items = isPlainObject(schema.items) ? schema.items : undefined;
    return types.has('array') || types.size === 0
      ? value.map((item) => coerceToSchema(item, items, encoding, depth + 1))
      : value;
  }
  if (isPlainObject(value)) {
    const properties = isPlainObject(schema.properties) ? schema.properties : {};
    const rest = isPlainObject(schema.additionalProperties) ? schema.additionalProperties : undefined;
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
      const declared = Object.hasOwn(properties, name) ? properties[name] : rest;
      result[name] = coerceToSchema(item, declared, encoding, depth + 1);
    }
    return result;
  }
  return value;
}

/** A parameter's or field's text as the scalar its schema wants (`"5"` → 5, `"true"` → true, `"null"` → null). */
export function scalarFromText(text: string, schema: JsonSchema | undefined): unknown {
  return fromString(
    text,
    isPlainObject(schema) ? typesAdmitted(schema) : new Set(),
    isPlainObject(schema) ? schema : {},
    'form',
    0,
  );
}

function fromString(
  text: string,
  types: ReadonlySet<string>,
  schema: Record<string, any>,
  encoding: FieldEncoding,
  depth: number,
): unknown {
  if (types.size === 0 || types.has('string')) return text;
  if ((text === '' || text === 'null') && types.has('null')) return null;
  if ((types.has('integer') || types.has('number')) && text.trim() !== '' && Number.isFinite(Number(text)))
    return Number(text);
  if (types.has('boolean') && (text === 'true' || text === 'false')) return text === 'true';
  if (types.has('array') && encoding === 'form')
    return [
      fromString(
        text,
        typesAdmitted(isPlainObject(schema.items) ? schema.items : {}),
        schema.items ?? {},
        encoding,
        depth + 1,
      ),
    ];
  if ((types.has('object') || types.has('array')) && encoding === 'multipart') {
    try {
      return coerceToSchema(JSON.parse(text), schema, encoding, depth + 1);
    } catch {
      return text;
    }
  }
  return text;
}

const admitted = new WeakMap<object, ReadonlySet<string>>();

/** The types a schema lets through, its `anyOf`/`oneOf` branches and `nullable` included (read once per schema: it is read per request). */
export function typesAdmitted(schema: Record<string, any>): ReadonlySet<string> {
  let types = admitted.get(schema);
  if (!types) admitted.set(schema, (types = readTypes(schema)));
  return types;
}

function readTypes(schema: Record<string, any>): Set<string> {
  const types = new Set(typesOf(schema));
  if (schema.nullable === true) types.add('null');
  for (const branch of [...(schema.anyOf ?? []), ...(schema.oneOf ?? []), ...(schema.allOf ?? [])]) {
    if (isPlainObject(branch)) for (const type of typesAdmitted(branch)) types.add(type);
  }
  return types;
}
