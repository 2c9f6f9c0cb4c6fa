/**
 * A deterministic example value built from a dereferenced schema: the "static" answer a mock gives
 * when the spec has no example (Prism's static mode). Random data comes from `arbitrary.ts` instead.
 */
import { recordedBranchTags } from './discriminator.js';
import { isPlainObject } from './json-value.js';
import { typesOf } from './schema-types.js';
import type { JsonSchema } from './types.js';

export interface ExampleOptions {
  direction: 'request' | 'response';
  /** The instant used for date-time values, so answers follow the mock's clock. */
  now?: Date;
  maxDepth?: number;
}

const FORMAT_EXAMPLES: Record<string, string> = {
  uuid: '5e8f6f3e-2b1c-4a7d-9c3e-1f2a3b4c5d6e',
  email: 'user@example.com',
  uri: 'https://example.com/',
  'uri-reference': '/example',
  url: 'https://example.com/',
  hostname: 'example.com',
  ipv4: '192.0.2.1',
  ipv6: '2001:db8::1',
  date: '2025-01-01',
  time: '12:00:00Z',
  byte: 'ZXhhbXBsZQ==',
  password: 'secret',
};

export function exampleFromSchema(schema: JsonSchema | undefined, options: ExampleOptions): unknown {
  return build(schema, options, 0);
}

function build(schema: JsonSchema | undefined, options: ExampleOptions, depth: number): unknown {
  if (schema === undefined || schema === true) return {};
  if (schema === false) return null;
  const s = schema as Record<string, any>;
  if (s.example !== undefined) return s.example;
  if (Array.isArray(s.examples) && s.examples.length > 0) return s.examples[0];
  if (s.default !== undefined) return s.default;
  if (s.const !== undefined) return s.const;
  if (Array.isArray(s.enum) && s.enum.length > 0) return s.enum.find((v: unknown) => v !== null) ?? s.enum[0];
  if (depth > (options.maxDepth ?? 8)) return null;
  if (Array.isArray(s.allOf)) return mergeAll(s.allOf.map((part: JsonSchema) => build(part, options, depth + 1)));
  const union = s.oneOf ?? s.anyOf;
  if (Array.isArray(union) && union.length > 0) {
    const branch = union.find((b: any) => !isNullSchema(b)) ?? union[0];
    const value = build(branch, options, depth + 1);
    const tagged = recordedBranchTags(s);
    return tagged && isPlainObject(value)
      ? { ...value, [tagged.propertyName]: tagged.tags[union.indexOf(branch)][0] }
      : value;
  }
  switch (primaryType(s)) {
    case 'null':
      return null;
    case 'boolean':
      return true;
    case 'integer':
      return Math.ceil(numberInRange(s, 1));
    case 'number':
      return numberInRange(s, 0.5);
    case 'string':
      return stringFor(s, options);
    case 'array': {
      const item = build(s.items ?? {}, options, depth + 1);
      return Array.from({ length: Math.max(1, s.minItems ?? 1) }, () => item).slice(0, s.maxItems ?? Infinity);
    }
    default:
      return objectFor(s, options, depth);
  }
}

function objectFor(s: Record<string, any>, options: ExampleOptions, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const hidden = options.direction === 'request' ? 'readOnly' : 'writeOnly';
  for (const [name, property] of Object.entries<any>(s.properties ?? {})) {
    if (property?.[hidden] === true) continue;
    out[name] = build(property, options, depth + 1);
  }
  return out;
}

/** The type to build an example of: the first non-null one the schema admits, an object when it says nothing. */
function primaryType(s: Record<string, any>): string {
  const types = typesOf(s);
  return types.find((t) => t !== 'null') ?? types[0] ?? 'object';
}

function isNullSchema(schema: any): boolean {
  return (
    schema?.type === 'null' || (Array.isArray(schema?.enum) && schema.enum.length === 1 && schema.enum[0] === null)
  );
}

function numberInRange(s: Record<string, any>, fallback: number): number {
  const low = typeof s.exclusiveMinimum === 'number' ? s.exclusiveMinimum + 1 : s.minimum;
  const high = typeof s.exclusiveMaximum === 'number' ? s.exclusiveMaximum - 0.5 : s.maximum;
  if (low !== undefined) return low;
  if (high !== undefined) return Math.min(high, fallback);
  return fallback;
}

function stringFor(s: Record<string, any>, options: ExampleOptions): string {
  if (s.format === 'date-time') return (options.now ?? new Date(0)).toISOString();
  const base = FORMAT_EXAMPLES[s.format as string] ?? 'string';
  const min = s.minLength ?? 0;
  const padded = base.length >= min ? base : base.padEnd(min, 'x');
  return s.maxLength !== undefined && !s.format ? padded.slice(0, s.maxLength) : padded;
}

function mergeAll(parts: unknown[]): unknown {
  if (parts.every(isPlainObject)) return Object.assign({}, ...parts);
  return parts[0];
}
