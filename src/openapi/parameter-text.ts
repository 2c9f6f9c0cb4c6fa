/**
 * Where a parameter's text is in a request, as OpenAPI's `style` and `explode` place it (the
 * inverse of what the harness puts on the wire, src/contract/parameter-style.ts):
 * - query arrays repeated (`a=1&a=2`) or joined by the style's delimiter (`,`, space, `|`);
 * - query objects as `name[key]=` fields (deepObject, nested as Stripe nests them), as their own
 *   fields (form, exploded: `role=admin&first=Alex`) or as `name=key,value,key,value`;
 * - header and path objects as `key,value` pairs, or `key=value` pairs when exploded.
 * `parameterFromText` then reads the text as the schema's types.
 */
import { bracketFields, shapeOf, type TextFields } from './form-coercion.js';
import { isPlainObject } from './json-value.js';
import { type SchemaView, viewOf, wantsArray } from './schema-view.js';
import type { Parameter } from './types.js';

export type ParameterText = string | string[] | TextFields;

const DELIMITERS: ReadonlyMap<string, string> = new Map([
  ['spaceDelimited', ' '],
  ['pipeDelimited', '|'],
]);

/** A query parameter's `style` and `explode`, with OpenAPI's defaults: form, exploded only when form. */
export function queryStyleOf(parameter: Pick<Parameter, 'style' | 'explode'>): { style: string; explode: boolean } {
  const style = parameter.style ?? 'form';
  return { style, explode: parameter.explode ?? style === 'form' };
}

/** What separates an unexploded query array's items in `style`. */
export function arrayDelimiterOf(style: string): string {
  return DELIMITERS.get(style) ?? ',';
}

/** A query parameter's text, or undefined when the request does not carry it. */
export function queryParameterText(
  parameter: Pick<Parameter, 'name' | 'style' | 'explode' | 'schema'>,
  query: URLSearchParams,
): ParameterText | undefined {
  const { style, explode } = queryStyleOf(parameter);
  const view = viewOf(parameter.schema);
  const values = query.getAll(parameter.name);
  if (view.admits.has('object')) {
    // A union with a scalar branch (Stripe's `anyOf: [{properties…}, enum [""]]`) may still come as plain text.
    const fields =
      style === 'deepObject'
        ? deepObjectFields(parameter.name, query)
        : explode
          ? ownFields(view, query)
          : values.length === 1 && !view.admits.has('string')
            ? pairFields(values[0] === '' ? [] : values[0].split(','))
            : undefined;
    if (fields) return fields;
  }
  if (values.length === 0) return undefined;
  if (values.length > 1) return values;
  const delimiter = DELIMITERS.get(style);
  if (delimiter && wantsArray(view)) return values[0] === '' ? [] : values[0].split(delimiter);
  return values[0];
}

/** A header's or path parameter's text (style simple): an object schema reads its pairs. */
export function simpleParameterText(
  parameter: Pick<Parameter, 'explode' | 'schema'>,
  text: string | undefined,
): ParameterText | undefined {
  if (text === undefined) return undefined;
  const view = viewOf(parameter.schema);
  if (!view.admits.has('object') || view.admits.has('string')) return text;
  if (text === '') return Object.create(null);
  if (!parameter.explode) return pairFields(text.split(',')) ?? text;
  const fields: TextFields = Object.create(null);
  for (const pair of text.split(',')) {
    const at = pair.indexOf('=');
    if (at <= 0) return text;
    fields[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return fields;
}

function deepObjectFields(name: string, query: URLSearchParams): TextFields | undefined {
  const prefix = `${name}[`;
  const pairs = new URLSearchParams();
  for (const [key, value] of query) if (key.startsWith(prefix)) pairs.append(key, value);
  if (pairs.size === 0) return undefined;
  // Read back with the form reader's bounds (depth, field count), so a query cannot expand without limit.
  const parsed = bracketFields(pairs.toString());
  const fields = Object.hasOwn(parsed, name) ? parsed[name] : undefined;
  return isPlainObject(fields) ? fields : undefined;
}

/** An exploded form object: each declared property is a query field of its own name. */
function ownFields(view: SchemaView, query: URLSearchParams): TextFields | undefined {
  const fields: TextFields = Object.create(null);
  let found = false;
  for (const property of shapeOf(view, 'object').properties.keys()) {
    const values = query.getAll(property);
    if (values.length === 0) continue;
    fields[property] = values.length === 1 ? values[0] : values;
    found = true;
  }
  return found ? fields : undefined;
}

/** `key,value,key,value` as fields; undefined when the items do not pair up. */
function pairFields(items: string[]): TextFields | undefined {
  if (items.length % 2 !== 0) return undefined;
  const fields: TextFields = Object.create(null);
  for (let at = 0; at < items.length; at += 2) fields[items[at]] = items[at + 1];
  return fields;
}
