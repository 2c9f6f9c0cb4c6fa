/**
 * An error body in a shape the spec documents but parley has no hand-written style for (petstore's
 * `{code, message}`, OpenAI's `{error: {message, type, code}}`): the schema's own example, with its
 * message-like and code-like fields carrying the error. Fields with a fixed vocabulary (enum, const,
 * pattern, format) keep the example's value, so the body stays valid against its schema.
 */
import { exampleFromSchema } from '../openapi/example.js';
import { isPlainObject } from '../openapi/json-value.js';
import { type SchemaView, viewOf } from '../openapi/schema-view.js';
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
  return [...viewOf(schema).properties].some(
    ([name, property]) =>
      (MESSAGE_FIELDS.test(name) && isPlainObject(property) && viewOf(property).types.includes('string')) ||
      carriesMessage(property, depth + 1),
  );
}

/**
 * The smallest valid body (required properties only) with the message and code filled in where the
 * schema has a place for them: Stripe's error schema reaches a whole payment intent, and a full
 * example made every 404 a 37 KB answer.
 */
export function schemaShapedError(schema: JsonSchema, fields: ErrorFields): unknown {
  return fill(schema, smallest(schema), fields, 0);
}

const smallest = (schema: JsonSchema) => exampleFromSchema(schema, { direction: 'response', requiredOnly: true });

function fill(schema: JsonSchema, value: unknown, fields: ErrorFields, depth: number): unknown {
  if (!isPlainObject(value) || typeof schema !== 'object' || depth > 3) return value;
  const view = viewOf(schema);
  // With no message field, an `error` string is where the message goes (DigitalOcean's `{error, root_causes}`).
  const messageIn = [...view.properties.keys()].some((name) => MESSAGE_FIELDS.test(name)) ? MESSAGE_FIELDS : /^error$/;
  for (const [name, property] of view.properties) {
    const replacement = fieldValue(name, property, fields, messageIn);
    if (replacement !== undefined) value[name] = replacement;
    else if (Object.hasOwn(value, name)) value[name] = fill(property, value[name], fields, depth + 1);
    else if (carriesMessage(property)) value[name] = fill(property, smallest(property), fields, depth + 1);
  }
  return value;
}

function fieldValue(name: string, schema: JsonSchema, fields: ErrorFields, messageIn: RegExp): unknown {
  if (typeof schema !== 'object') return undefined;
  const view = viewOf(schema);
  if (view.members !== undefined) return undefined;
  const freeText = view.types.includes('string') && view.pattern === undefined && view.format === undefined;
  if (messageIn.test(name) && freeText) return bounded(fields.message, view);
  if (!CODE_FIELDS.test(name)) return undefined;
  if (view.types.includes('integer') || view.types.includes('number'))
    return withinBounds(fields.status, view) ? fields.status : undefined;
  if (freeText) return bounded(fields.code.toLowerCase(), view);
  return undefined;
}

function bounded(text: string, view: SchemaView): string | undefined {
  if (view.minLength !== undefined && text.length < view.minLength) return undefined;
  return view.maxLength !== undefined ? text.slice(0, view.maxLength) : text;
}

function withinBounds(number: number, view: SchemaView): boolean {
  const { min, max, minExcluded, maxExcluded } = view.bounds;
  if (view.multipleOf !== undefined && number % view.multipleOf !== 0) return false;
  return (
    (min === undefined || (minExcluded ? number > min : number >= min)) &&
    (max === undefined || (maxExcluded ? number < max : number <= max))
  );
}
