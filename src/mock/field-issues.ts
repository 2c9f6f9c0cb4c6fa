/** Turns schema validation issues into FastAPI-style field issues (`loc`, `msg`, `type`), as the APIs report them. */
import { valueAtPath } from '../openapi/pointer.js';
import type { ValidationIssue } from '../openapi/validator.js';
import type { FieldIssue } from './api-error.js';

const TYPE_NAMES: Record<string, [string, string]> = {
  string: ['string_type', 'Input should be a valid string'],
  integer: ['int_type', 'Input should be a valid integer'],
  number: ['float_type', 'Input should be a valid number'],
  boolean: ['bool_type', 'Input should be a valid boolean'],
  object: ['dict_type', 'Input should be a valid dictionary or object'],
  array: ['list_type', 'Input should be a valid list'],
  null: ['none_required', 'Input should be None'],
};

const FORMAT_NAMES: Record<string, [string, string]> = {
  uuid: ['uuid_parsing', 'Input should be a valid UUID'],
  'date-time': ['datetime_parsing', 'Input should be a valid datetime'],
  date: ['date_parsing', 'Input should be a valid date'],
  email: ['value_error', 'value is not a valid email address'],
  uri: ['url_parsing', 'Input should be a valid URL'],
};

function quote(value: unknown): string {
  return typeof value === 'string' ? `'${value}'` : JSON.stringify(value);
}

function describe(issue: ValidationIssue): [string, string, Record<string, unknown>?] {
  const p = issue.params;
  switch (issue.keyword) {
    case 'required':
      return ['missing', 'Field required'];
    case 'type': {
      const type = String(Array.isArray(p.type) ? p.type[0] : p.type);
      return Object.hasOwn(TYPE_NAMES, type) ? TYPE_NAMES[type] : ['type_error', `Input should be of type ${type}`];
    }
    case 'minLength':
      return [
        'string_too_short',
        `String should have at least ${p.limit} character${p.limit === 1 ? '' : 's'}`,
        { min_length: p.limit },
      ];
    case 'maxLength':
      return [
        'string_too_long',
        `String should have at most ${p.limit} character${p.limit === 1 ? '' : 's'}`,
        { max_length: p.limit },
      ];
    case 'minimum':
      return ['greater_than_equal', `Input should be greater than or equal to ${p.limit}`, { ge: p.limit }];
    case 'maximum':
      return ['less_than_equal', `Input should be less than or equal to ${p.limit}`, { le: p.limit }];
    case 'exclusiveMinimum':
      return ['greater_than', `Input should be greater than ${p.limit}`, { gt: p.limit }];
    case 'exclusiveMaximum':
      return ['less_than', `Input should be less than ${p.limit}`, { lt: p.limit }];
    case 'multipleOf':
      return ['multiple_of', `Input should be a multiple of ${p.multipleOf}`, { multiple_of: p.multipleOf }];
    case 'enum': {
      const values: unknown[] = Array.isArray(p.allowedValues) ? p.allowedValues : [];
      return [
        'enum',
        `Input should be ${values
          .map(quote)
          .join(', ')
          .replace(/, ([^,]*)$/, ' or $1')}`,
        { expected: values.map(quote).join(', ') },
      ];
    }
    case 'const':
      return ['literal_error', `Input should be ${quote(p.allowedValue)}`, { expected: quote(p.allowedValue) }];
    case 'format': {
      // The format names the spec's own word: looked up as an own key only.
      const format = String(p.format);
      return Object.hasOwn(FORMAT_NAMES, format)
        ? FORMAT_NAMES[format]
        : ['value_error', `Input should be a valid ${format}`];
    }
    case 'pattern':
      return ['string_pattern_mismatch', `String should match pattern '${p.pattern}'`, { pattern: p.pattern }];
    case 'additionalProperties':
    case 'unevaluatedProperties':
      return ['extra_forbidden', 'Extra inputs are not permitted'];
    case 'minItems':
      return ['too_short', `List should have at least ${p.limit} item${p.limit === 1 ? '' : 's'}`];
    case 'maxItems':
      return ['too_long', `List should have at most ${p.limit} item${p.limit === 1 ? '' : 's'}`];
    default:
      return ['value_error', issue.message];
  }
}

/**
 * Maps issues for the value at `location` ('body', 'query', 'path', 'header') to field issues.
 * Union summaries ("must match a schema in anyOf") are dropped when the branches say more,
 * and "must be null" from a nullable branch is dropped when the value is not null.
 */
export function toFieldIssues(location: (string | number)[], issues: ValidationIssue[], input: unknown): FieldIssue[] {
  // The common case, a valid value, on every request: nothing to sort out.
  if (issues.length === 0) return [];
  const specific = issues.filter((issue) => !['anyOf', 'oneOf', 'allOf', 'if'].includes(issue.keyword));
  const meaningful = specific.filter((issue) => !(issue.keyword === 'type' && issue.params.type === 'null'));
  const chosen = meaningful.length > 0 ? meaningful : specific.length > 0 ? specific : issues;
  const seen = new Set<string>();
  const result: FieldIssue[] = [];
  for (const issue of chosen) {
    const [type, msg, ctx] = describe(issue);
    const loc = [...location, ...issue.path];
    const key = `${loc.join('\u0000')}|${type}|${msg}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const value = valueAtPath(input, issue.keyword === 'required' ? issue.path.slice(0, -1) : issue.path);
    result.push({ type, loc, msg, input: value, ...(ctx ? { ctx } : {}) });
  }
  return result;
}
