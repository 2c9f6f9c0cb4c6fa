/**
 * A deterministic example value built from a dereferenced schema: the "static" answer a mock gives
 * when the spec has no example (Prism's static mode). Random data comes from `arbitrary.ts` instead.
 */
import { patternArbitrary } from './arbitrary.js';
import fc from 'fast-check';
import { withTagValue } from './discriminator.js';
import { isPlainObject } from './json-value.js';
import { schemaRegExp } from './pattern.js';
import { type Bounds, hiddenIn, type JsonType, type SchemaView, viewOf } from './schema-view.js';
import type { JsonSchema } from './types.js';

export interface ExampleOptions {
  direction: 'request' | 'response';
  /** The instant used for date-time values, so answers follow the mock's clock. */
  now?: Date;
  maxDepth?: number;
  /** Only what validity needs: required properties, the fewest items, null where admitted. */
  requiredOnly?: boolean;
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

/** How far past `maxDepth` required properties are still followed before a cycle of them is cut with null. */
const LEAN_DEPTH = 16;

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
  // Past the depth limit only what validity needs (null where admitted, else required properties and
  // minItems), as arbitrary.ts does: a bare null would break every non-nullable deep field.
  const lean = options.requiredOnly === true || depth > (options.maxDepth ?? 8);
  if (lean && (view.admits.has('null') || depth > (options.maxDepth ?? 8) + LEAN_DEPTH)) return null;
  const whole = shaped(view, options, depth, lean);
  if (!Array.isArray(schema.allOf) || !isPlainObject(whole)) return whole;
  // Each part's own example (or its shape) over the merged schema's shape.
  const parts = schema.allOf.map((part: JsonSchema) => build(part, options, depth + 1));
  return parts.every(isPlainObject) ? Object.assign(whole, ...parts) : whole;
}

/** An example of the value's shape, from the merged view (its annotations already read). */
function shaped(view: SchemaView, options: ExampleOptions, depth: number, lean: boolean): unknown {
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
      const length = Math.min(lean ? (view.minItems ?? 0) : Math.max(1, view.minItems ?? 1), view.maxItems ?? Infinity);
      if (length === 0) return [];
      const item = build(view.items ?? {}, options, depth + 1);
      return Array.from({ length }, () => item);
    }
    default:
      return objectFor(view, options, depth, lean);
  }
}

function objectFor(view: SchemaView, options: ExampleOptions, depth: number, lean: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, property] of view.properties) {
    if (hiddenIn(options.direction, property) || (lean && !view.required.has(name))) continue;
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
  if (view.pattern !== undefined) {
    const matching = stringMatching(view.pattern, view.minLength ?? 0, view.maxLength ?? Infinity);
    if (matching !== undefined) return matching;
  }
  const base = (view.format !== undefined && FORMAT_EXAMPLES.get(view.format)) || 'string';
  const min = view.minLength ?? 0;
  const padded = base.length >= min ? base : base.padEnd(min, 'x');
  return view.maxLength !== undefined && !view.format ? padded.slice(0, view.maxLength) : padded;
}

const matchingStrings = new Map<string, string | undefined>();

/**
 * The shortest of a few strings a pattern matches, drawn with a fixed seed (so examples stay
 * deterministic): Stripe's list `url` (`^/v1/charges`) refuses the plain "string".
 */
function stringMatching(pattern: string, minLength: number, maxLength: number): string | undefined {
  const key = `${minLength}|${maxLength}|${pattern}`;
  if (!matchingStrings.has(key)) {
    const regex = schemaRegExp(pattern);
    const fits = (text: string) => text.length >= minLength && text.length <= maxLength && regex.test(text);
    const drawn = fits('string') ? ['string'] : fc.sample(patternArbitrary(pattern), { numRuns: 20, seed: 1 });
    matchingStrings.set(key, drawn.filter(fits).sort((a, b) => a.length - b.length)[0]);
  }
  return matchingStrings.get(key);
}
