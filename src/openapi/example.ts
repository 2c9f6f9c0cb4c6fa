/**
 * A deterministic example value built from a dereferenced schema: the "static" answer a mock gives
 * when the spec has no example (Prism's static mode). Random data comes from `arbitrary.ts` instead.
 */
import { withTagValue } from './discriminator.js';
import { isPlainObject } from './json-value.js';
import { type Bounds, hiddenIn, type JsonType, type SchemaView, viewOf } from './schema-view.js';
import type { JsonSchema } from './types.js';

export interface ExampleOptions {
  direction: 'request' | 'response';
  /** The instant used for date-time values, so answers follow the mock's clock. */
  now?: Date;
  maxDepth?: number;
}

const FORMAT_EXAMPLES: ReadonlyMap<string, string> = new Map(
  Object.entries({
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
  }),
);

export function exampleFromSchema(schema: JsonSchema | undefined, options: ExampleOptions): unknown {
  return build(schema, options, 0);
}

function build(schema: JsonSchema | undefined, options: ExampleOptions, depth: number): unknown {
  if (schema === undefined || schema === true) return {};
  if (schema === false) return null;
  // Annotations are the schema's own: an `allOf` part's example is the example of that part only.
  if (schema.example !== undefined) return schema.example;
  if (Array.isArray(schema.examples) && schema.examples.length > 0) return schema.examples[0];
  if (schema.default !== undefined) return schema.default;
  const view = viewOf(schema);
  if (view.members && view.members.length > 0) return view.members.find((v) => v !== null) ?? view.members[0];
  if (depth > (options.maxDepth ?? 8)) return null;
  const whole = shaped(view, options, depth);
  if (!Array.isArray(schema.allOf) || !isPlainObject(whole)) return whole;
  // Each part's own example (or its shape) over the merged schema's shape.
  const parts = schema.allOf.map((part: JsonSchema) => build(part, options, depth + 1));
  return parts.every(isPlainObject) ? Object.assign(whole, ...parts) : whole;
}

/** An example of the value's shape, from the merged view (its annotations already read). */
function shaped(view: SchemaView, options: ExampleOptions, depth: number): unknown {
  if (view.branches.length > 0) {
    // The first branch a value can take: not null, and selected by some tag where the union is discriminated.
    const index = Math.max(
      0,
      view.branches.findIndex((branch, at) => !isNullSchema(branch) && view.tags?.tags[at].length !== 0),
    );
    const value = build(view.branches[index], options, depth + 1);
    const tags = view.tags?.tags[index];
    return view.tags && tags && isPlainObject(value)
      ? withTagValue(value, view.tags.propertyName, tags, tags[0])
      : value;
  }
  switch (primaryType(view)) {
    case 'null':
      return null;
    case 'boolean':
      return true;
    case 'integer':
      return integerInRange(view.bounds);
    case 'number':
      return numberInRange(view.bounds);
    case 'string':
      return stringFor(view, options);
    case 'array': {
      const item = build(view.items ?? {}, options, depth + 1);
      return Array.from({ length: Math.max(1, view.minItems ?? 1) }, () => item).slice(0, view.maxItems ?? Infinity);
    }
    default:
      return objectFor(view, options, depth);
  }
}

function objectFor(view: SchemaView, options: ExampleOptions, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, property] of view.properties) {
    if (hiddenIn(options.direction, property)) continue;
    Object.defineProperty(out, name, {
      value: build(property, options, depth + 1),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

/** The type to build an example of: the first non-null one the schema admits, an object when it says nothing. */
function primaryType(view: SchemaView): JsonType {
  return view.types.find((t) => t !== 'null') ?? view.types[0] ?? 'object';
}

function isNullSchema(schema: JsonSchema): boolean {
  const view = viewOf(schema);
  return (
    (view.types.length === 1 && view.types[0] === 'null') ||
    (view.members !== undefined && view.members.length === 1 && view.members[0] === null)
  );
}

/** The lowest integer inside the bounds (1 where the schema sets none, the highest where only a maximum is set). */
function integerInRange(bounds: Bounds): number {
  const { min, max, minExcluded, maxExcluded } = bounds;
  if (min !== undefined) return minExcluded && Number.isInteger(min) ? min + 1 : Math.ceil(min);
  if (max !== undefined) {
    const highest = maxExcluded && Number.isInteger(max) ? max - 1 : Math.floor(max);
    return Math.min(highest, 1);
  }
  return 1;
}

/** The lowest number inside the bounds (0.5 where the schema sets none). */
function numberInRange(bounds: Bounds): number {
  const { min, max, minExcluded, maxExcluded } = bounds;
  if (min !== undefined) {
    if (!minExcluded) return min;
    return max !== undefined && max - min <= 1 ? (min + max) / 2 : min + 1;
  }
  if (max !== undefined) return maxExcluded ? Math.min(max - 0.5, 0.5) : Math.min(max, 0.5);
  return 0.5;
}

function stringFor(view: SchemaView, options: ExampleOptions): string {
  if (view.format === 'date-time') return (options.now ?? new Date(0)).toISOString();
  const base = (view.format !== undefined && FORMAT_EXAMPLES.get(view.format)) || 'string';
  const min = view.minLength ?? 0;
  const padded = base.length >= min ? base : base.padEnd(min, 'x');
  return view.maxLength !== undefined && !view.format ? padded.slice(0, view.maxLength) : padded;
}
