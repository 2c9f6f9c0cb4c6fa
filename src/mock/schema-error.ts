/**
 * An error body in a shape the spec documents but parley has no hand-written style for (petstore's
 * `{code, message}`, OpenAI's `{error: {message, type, code}}`): the schema's own example, with its
 * message-like and code-like fields carrying the error. Fields with a fixed vocabulary (enum, const,
 * pattern, format) keep the example's value, so the body stays valid against its schema.
 */
import { exampleFromSchema } from '../openapi/example.js';
import { isPlainObject } from '../openapi/json-value.js';
import { declaredProperties, typesOf } from '../openapi/schema-types.js';
import type { JsonSchema } from '../openapi/types.js';

export interface ErrorFields {
  status: number;
  code: string;
  /** The message with any field issues spelled out. */
  message: string;
}

const MESSAGE_FIELDS =
  /^(message|msg|detail|details|description|error_description|errormessage|error_message|reason|title)$/i;
const CODE_FIELDS = /^(code|error_code|errorcode|status|status_code|statuscode|type|error)$/i;

/** Whether a schema has somewhere to put a message (at its top or one object down): only then is it an error shape. */
export function carriesMessage(schema: JsonSchema | undefined, depth = 0): boolean {
  if (!isPlainObject(schema) || depth > 1) return false;
  return declaredProperties(schema).some(
    ([name, property]) =>
      (MESSAGE_FIELDS.test(name) && isPlainObject(property) && typesOf(property).includes('string')) ||
      carriesMessage(property, depth + 1),
  );
}

export function schemaShapedError(schema: JsonSchema, fields: ErrorFields): unknown {
  return fill(schema, exampleFromSchema(schema, { direction: 'response' }), fields, 0);
}

function fill(schema: JsonSchema, value: unknown, fields: ErrorFields, depth: number): unknown {
  if (!isPlainObject(value) || typeof schema !== 'object' || depth > 3) return value;
  const properties = declaredProperties(schema);
  for (const [name, property] of properties) {
    if (!Object.hasOwn(value, name) && !isRequired(schema, name)) continue;
    const replacement = fieldValue(name, property, fields);
    if (replacement !== undefined) value[name] = replacement;
    else if (Object.hasOwn(value, name)) value[name] = fill(property, value[name], fields, depth + 1);
  }
  return value;
}

function fieldValue(name: string, schema: JsonSchema, fields: ErrorFields): unknown {
  if (typeof schema !== 'object' || 'enum' in schema || 'const' in schema) return undefined;
  const types = typesOf(schema);
  const freeText = types.includes('string') && !('pattern' in schema) && !('format' in schema);
  if (MESSAGE_FIELDS.test(name) && freeText) return bounded(fields.message, schema);
  if (!CODE_FIELDS.test(name)) return undefined;
  if (types.includes('integer') || types.includes('number'))
    return withinBounds(fields.status, schema) ? fields.status : undefined;
  if (freeText) return bounded(fields.code.toLowerCase(), schema);
  return undefined;
}

function bounded(text: string, schema: Record<string, any>): string | undefined {
  if (typeof schema.minLength === 'number' && text.length < schema.minLength) return undefined;
  return typeof schema.maxLength === 'number' ? text.slice(0, schema.maxLength) : text;
}

function withinBounds(number: number, schema: Record<string, any>): boolean {
  if (typeof schema.multipleOf === 'number' && number % schema.multipleOf !== 0) return false;
  return (
    !(typeof schema.minimum === 'number' && number < schema.minimum) &&
    !(typeof schema.maximum === 'number' && number > schema.maximum)
  );
}

function isRequired(schema: Record<string, any>, name: string): boolean {
  return Array.isArray(schema.required) && schema.required.includes(name);
}
