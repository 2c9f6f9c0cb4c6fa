/** Validates a request's parameters and JSON body against its operation, reporting FastAPI-style field issues. */
import type { IncomingHttpHeaders } from 'node:http';
import type { Operation, Parameter } from '../openapi/types.js';
import type { SpecValidator } from '../openapi/validator.js';
import type { FieldIssue } from './api-error.js';
import { cookieValue } from './cookies.js';
import { toFieldIssues } from './field-issues.js';
import { parameterFromText } from '../openapi/form-coercion.js';
import { type ParameterText, queryParameterText, simpleParameterText } from '../openapi/parameter-text.js';

export interface RawParameters {
  path: Record<string, string>;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
}

export interface ParsedParameters {
  path: Record<string, unknown>;
  query: Record<string, unknown>;
  header: Record<string, unknown>;
  cookie: Record<string, unknown>;
}

export function validateParameters(
  operation: Operation,
  validator: SpecValidator,
  raw: RawParameters,
): { parameters: ParsedParameters; issues: FieldIssue[] } {
  // Plain objects (null-prototype ones are slow dictionaries); names are the spec's, and "__proto__" is defined, never assigned.
  const parameters: ParsedParameters = { path: {}, query: {}, header: {}, cookie: {} };
  const issues: FieldIssue[] = [];
  for (const parameter of operation.parameters) {
    const rawValue = readRaw(parameter, raw);
    if (rawValue === undefined) {
      if (parameter.required)
        issues.push({ type: 'missing', loc: [parameter.in, parameter.name], msg: 'Field required', input: null });
      continue;
    }
    const value = parameterFromText(rawValue, parameter.schema);
    if (parameter.schemaPointer) {
      const found = validator.validate(parameter.schemaPointer, value, 'request');
      if (found.length > 0) issues.push(...toFieldIssues([parameter.in, parameter.name], found, value));
    }
    const group = parameters[parameter.in];
    if (parameter.name === '__proto__')
      Object.defineProperty(group, parameter.name, { value, enumerable: true, writable: true, configurable: true });
    else group[parameter.name] = value;
  }
  return { parameters, issues };
}

/** Checks a parsed JSON body against the schema at `schemaPointer` (none: anything goes). */
export function validateBody(validator: SpecValidator, schemaPointer: string | undefined, body: unknown): FieldIssue[] {
  if (!schemaPointer) return [];
  return toFieldIssues(['body'], validator.validate(schemaPointer, body, 'request'), body);
}

function readRaw(parameter: Parameter, raw: RawParameters): ParameterText | undefined {
  switch (parameter.in) {
    case 'path':
      return simpleParameterText(parameter, raw.path[parameter.name]);
    case 'query':
      return queryParameterText(parameter, raw.query);
    case 'header': {
      const value = raw.headers[parameter.name.toLowerCase()];
      return simpleParameterText(parameter, Array.isArray(value) ? value.join(', ') : value);
    }
    case 'cookie':
      return cookieValue(raw.headers, parameter.name);
  }
}
