/**
 * Puts query and header parameter values on the wire as OpenAPI's `style` / `explode` say
 * (form, spaceDelimited, pipeDelimited, deepObject for queries; simple for headers).
 */
import { arrayDelimiterOf, queryStyleOf } from '../openapi/parameter-text.js';
import type { Parameter } from '../openapi/types.js';

const scalarText = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value));

const entriesOf = (value: object): [string, unknown][] => Object.entries(value).filter(([, v]) => v !== undefined);

/** The `name=value` pairs one query parameter becomes. */
export function queryPairs(
  parameter: Pick<Parameter, 'name' | 'style' | 'explode'>,
  value: unknown,
): [string, string][] {
  const { style, explode } = queryStyleOf(parameter);
  const { name } = parameter;
  if (Array.isArray(value)) {
    if (explode) return value.map((item) => [name, scalarText(item)]);
    return [[name, value.map(scalarText).join(arrayDelimiterOf(style))]];
  }
  if (value !== null && typeof value === 'object') {
    const entries = entriesOf(value);
    if (style === 'deepObject') return entries.flatMap(([key, v]) => bracketPairs(`${name}[${key}]`, v));
    if (explode) return entries.map(([key, v]) => [key, scalarText(v)]);
    return [[name, entries.flatMap(([key, v]) => [key, scalarText(v)]).join(',')]];
  }
  return [[name, scalarText(value)]];
}

/** A header parameter's text (style simple). */
export function headerText(parameter: Pick<Parameter, 'explode'>, value: unknown): string {
  if (Array.isArray(value)) return value.map(scalarText).join(',');
  if (value !== null && typeof value === 'object') {
    const entries = entriesOf(value);
    return parameter.explode
      ? entries.map(([key, v]) => `${key}=${scalarText(v)}`).join(',')
      : entries.flatMap(([key, v]) => [key, scalarText(v)]).join(',');
  }
  return scalarText(value);
}

/** A deepObject field, nested objects and arrays as further brackets (`a[b][c]=1`, `a[list][0]=x`), as servers that take them read them. */
function bracketPairs(field: string, value: unknown): [string, string][] {
  if (Array.isArray(value)) return value.flatMap((item, at) => bracketPairs(`${field}[${at}]`, item));
  if (value !== null && typeof value === 'object')
    return entriesOf(value).flatMap(([key, v]) => bracketPairs(`${field}[${key}]`, v));
  return [[field, scalarText(value)]];
}
