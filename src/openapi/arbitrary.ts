/**
 * JSON Schema → fast-check arbitrary, for dereferenced OpenAPI 3.0/3.1 schemas (which may be cyclic).
 * Shared by the contract suite (valid requests) and the mock (`Prefer: dynamic=true`).
 * Every value it yields is meant to pass the spec's own validator; formats are double-checked
 * against ajv-formats' definitions so the two can never disagree.
 */
import fc from 'fast-check';
import { fullFormats } from 'ajv-formats/dist/formats.js';
import { withTagValue } from './discriminator.js';
import { isPlainObject } from './json-value.js';
import { recordedSchemaPlace } from './checked-schemas.js';
import { schemaRegExp } from './pattern.js';
import { hiddenIn, type JsonType, type SchemaView, viewOf } from './schema-view.js';
import type { JsonSchema } from './types.js';
import { validatorOf } from './validator.js';

export interface ArbitraryOptions {
  /** readOnly properties are left out of requests, writeOnly ones out of responses. */
  direction?: 'request' | 'response';
  /** Past this depth, objects keep only required properties and arrays their minimum length. */
  maxDepth?: number;
  /** Upper bound for arrays and maps whose schema sets none (keeps requests small). */
  maxItems?: number;
  /** 'ascii' keeps free text to printable ASCII (query strings, headers); 'any' mixes in characters servers trip over. */
  text?: 'any' | 'ascii';
  /**
   * Arrays and objects hold at least one item or property: a form (`a[0]=x`, `b[c]=y`) has no way to
   * send an empty one, so `enabled_events: []` would reach the server as no field at all.
   */
  nonEmpty?: boolean;
}

type Resolved = Required<ArbitraryOptions>;

const DEFAULTS: Resolved = { direction: 'request', maxDepth: 6, maxItems: 4, text: 'any', nonEmpty: false };
/** How far past maxDepth required properties are still followed before a cycle of them is cut. */
const DEEP_REQUIRED_LIMIT = 16;
/** Range for numbers a schema leaves unbounded: wide enough to find overflow bugs, JSON-safe. */
const UNBOUNDED = 1e9;

/** Arbitraries are immutable: build each (schema, options) once and share it. */
const cache = new WeakMap<object, Map<string, fc.Arbitrary<unknown>>>();

export function schemaArbitrary(schema: JsonSchema, options: ArbitraryOptions = {}): fc.Arbitrary<unknown> {
  const resolved = { ...DEFAULTS, ...options };
  if (typeof schema !== 'object') return build(schema, resolved, 0);
  const key = `${resolved.direction}|${resolved.maxDepth}|${resolved.maxItems}|${resolved.text}|${resolved.nonEmpty}`;
  let bySchema = cache.get(schema);
  if (!bySchema) cache.set(schema, (bySchema = new Map()));
  let arbitrary = bySchema.get(key);
  if (!arbitrary) bySchema.set(key, (arbitrary = build(schema, resolved, 0)));
  return arbitrary;
}

function build(schema: JsonSchema | undefined, options: Resolved, depth: number): fc.Arbitrary<unknown> {
  const built = buildUnchecked(schema, options, depth);
  const place = isPlainObject(schema) ? recordedSchemaPlace(schema) : undefined;
  if (!place) return built;
  // Overlapping oneOf branches, a `not`: what was built is checked against the spec's own validator.
  const validator = validatorOf(place.spec);
  return new PreferringArbitrary(built, (value) => validator.accepts(place.pointer, value, options.direction));
}

function buildUnchecked(schema: JsonSchema | undefined, options: Resolved, depth: number): fc.Arbitrary<unknown> {
  if (schema === undefined || schema === true) return anyJson();
  if (schema === false) return fc.constant(null);
  const view = viewOf(schema);
  if (view.members) return view.members.length > 0 ? fc.constantFrom(...view.members) : fc.constant(null);
  // Past maxDepth a value ends as soon as it can: null where admitted, a scalar branch of a union
  // (Stripe's expandable fields, `anyOf: [id string, object]`, nest through required properties
  // without end). A cycle of required objects is cut with null, invalid but finite.
  const deep = depth >= options.maxDepth;
  if (deep && (view.admits.has('null') || depth >= options.maxDepth + DEEP_REQUIRED_LIMIT)) return fc.constant(null);
  if (view.branches.length > 0) {
    const { tags } = view;
    const shallow = deep && !tags ? view.branches.filter(isScalarSchema) : [];
    const candidates = shallow.length > 0 ? shallow : view.branches;
    const exclusive = view.unionKeyword === 'oneOf' ? exclusiveBranches(candidates) : candidates;
    // `oneOf: [integer, number]` (OpenAI's state variables): a whole number matches both branches, so
    // no integer is valid; the number branch builds fractions and the integer branch none.
    const wholeNumbersClash =
      view.unionKeyword === 'oneOf' &&
      !tags &&
      view.branches.some((branch) => onlyType(branch) === 'integer') &&
      view.branches.some((branch) => onlyType(branch) === 'number');
    const branches = exclusive.flatMap((branch, index) => {
      if (wholeNumbersClash && onlyType(branch) === 'integer') return [];
      // A discriminated branch no tag selects takes no value.
      if (tags && tags.tags[index].length === 0) return [];
      let built = build(branch, options, depth + 1);
      if (wholeNumbersClash && onlyType(branch) === 'number')
        built = built.filter((value) => typeof value !== 'number' || !Number.isInteger(value));
      // A discriminated branch carries the tag that names it, else the value may match no branch or several.
      return [tags ? withTag(built, tags.propertyName, tags.tags[index]) : built];
    });
    return branches.length > 0 ? fc.oneof(...branches) : fc.constant(null);
  }
  const { types } = view;
  if (types.length === 0) return view.merged.nullable === true ? fc.oneof(anyJson(), fc.constant(null)) : anyJson();
  if (types.length > 1) return fc.oneof(...types.map((type) => forType(type, view, options, depth)));
  return forType(types[0], view, options, depth);
}

/**
 * `oneOf` branches built so that a value matches the branch it was built for only. Branches told
 * apart by what they require (`oneOf: [{required: [a]}, {required: [b]}]`, "exactly one of a and b")
 * leave out the properties only the others require; of several array branches (OpenAI's
 * moderation `input`: strings or parts), none is built empty, since `[]` matches each of them.
 */
function exclusiveBranches(branches: readonly JsonSchema[]): JsonSchema[] {
  const views = branches.map((branch) => viewOf(branch));
  const arrayBranches = views.filter((view) => view.types.length === 1 && view.types[0] === 'array').length;
  return branches.map((branch, index) => {
    const own = views[index];
    if (arrayBranches > 1 && own.types.length === 1 && own.types[0] === 'array' && !(own.minItems && own.minItems > 0))
      return { ...own.merged, minItems: 1 };
    const others = new Set(
      views.flatMap((other, at) => (at === index ? [] : [...other.required].filter((name) => !own.required.has(name)))),
    );
    if (others.size === 0 || own.properties.size === 0 || !isPlainObject(own.merged.properties)) return branch;
    const properties = Object.fromEntries(Object.entries(own.merged.properties).filter(([name]) => !others.has(name)));
    return { ...own.merged, properties };
  });
}

/** Whether every value a schema admits is a scalar (no object or array to nest further). */
function isScalarSchema(schema: JsonSchema): boolean {
  const { admits } = viewOf(schema);
  return !admits.has('object') && !admits.has('array');
}

/** The one type a schema names, if it names exactly one. */
function onlyType(schema: JsonSchema): JsonType | undefined {
  const { types } = viewOf(schema);
  return types.length === 1 ? types[0] : undefined;
}

/** Draws before a union keeps the last value drawn even though it fails the check: never an endless draw. */
const PREFERRED_DRAWS = 16;

/**
 * `arbitrary` filtered by `accepted`, but boundedly: fast-check's `filter` draws until a value
 * passes, forever when none can (a branch every value of which another branch matches too).
 * After `PREFERRED_DRAWS` refused draws the last one is yielded as it is.
 */
class PreferringArbitrary<T> extends fc.Arbitrary<T> {
  constructor(
    private readonly arbitrary: fc.Arbitrary<T>,
    private readonly accepted: (value: T) => boolean,
  ) {
    super();
  }

  generate(random: fc.Random, biasFactor: number | undefined): fc.Value<T> {
    let value = this.arbitrary.generate(random, biasFactor);
    for (let draw = 1; draw < PREFERRED_DRAWS && !this.accepted(value.value_); draw++)
      value = this.arbitrary.generate(random, biasFactor);
    return value;
  }

  canShrinkWithoutContext(value: unknown): value is T {
    return this.arbitrary.canShrinkWithoutContext(value);
  }

  shrink(value: T, context: unknown): fc.Stream<fc.Value<T>> {
    return this.arbitrary.shrink(value, context).filter((shrunk) => this.accepted(shrunk.value_));
  }
}

function withTag(branch: fc.Arbitrary<unknown>, propertyName: string, tags: string[]): fc.Arbitrary<unknown> {
  return fc
    .tuple(branch, fc.constantFrom(...tags))
    .map(([value, tag]) => (isPlainObject(value) ? withTagValue(value, propertyName, tags, tag) : value));
}

function forType(type: JsonType, view: SchemaView, options: Resolved, depth: number): fc.Arbitrary<unknown> {
  switch (type) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer':
      return integerArbitrary(view);
    case 'number':
      return numberArbitrary(view);
    case 'string':
      return stringArbitrary(view, options);
    case 'array':
      return arrayArbitrary(view, options, depth);
    case 'object':
      return objectArbitrary(view, options, depth);
  }
}

function integerArbitrary(view: SchemaView): fc.Arbitrary<number> {
  const b = view.bounds;
  const int32 = view.format === 'int32';
  let min = b.min === undefined ? -UNBOUNDED : b.minExcluded ? Math.floor(b.min) + 1 : Math.ceil(b.min);
  let max = b.max === undefined ? UNBOUNDED : b.maxExcluded ? Math.ceil(b.max) - 1 : Math.floor(b.max);
  if (b.min !== undefined && b.max === undefined) max = min + UNBOUNDED;
  if (b.max !== undefined && b.min === undefined) min = max - UNBOUNDED;
  if (int32) [min, max] = [Math.max(min, -(2 ** 31)), Math.min(max, 2 ** 31 - 1)];
  // Past 2^53 a double holds no exact integer, and fast-check's draw over such a range never ends
  // (int64 bounds, as OpenAI's `seed` has): the safe integers are what JSON numbers carry anyway.
  [min, max] = [Math.max(min, Number.MIN_SAFE_INTEGER), Math.min(max, Number.MAX_SAFE_INTEGER)];
  const step = view.multipleOf !== undefined && Number.isInteger(view.multipleOf) ? view.multipleOf : 1;
  const [low, high] = [Math.ceil(min / step), Math.floor(max / step)];
  const multiplesIn = (from: number, to: number) =>
    fc.integer({ min: from, max: to }).map(
      (k) => k * step || 0,
      (value) => {
        if (typeof value !== 'number' || value % step !== 0) throw new Error('not a multiple of the step');
        return value / step;
      },
    );
  // The bounds themselves and their neighbours; where a side is open, the magnitudes that overflow fixed-width integers.
  const edges = [low * step, (low + 1) * step, (high - 1) * step, high * step, 0].filter((n) => n >= min && n <= max);
  const [lowest, highest] = [
    b.min === undefined && !int32 ? -Infinity : min,
    b.max === undefined && !int32 ? Infinity : max,
  ];
  const extremes = INTEGER_EXTREMES.filter((n) => n >= lowest && n <= highest && n % step === 0);
  const all = [...edges, ...extremes];
  return withEdges(
    multiplesIn(low, high),
    all,
    multiplesIn(Math.min(low, ...all.map((n) => n / step)), Math.max(high, ...all.map((n) => n / step))),
  );
}

/** Values past 32-bit and at the edge of exact doubles, where integer handling breaks. */
const INTEGER_EXTREMES = [2 ** 31 - 1, -(2 ** 31), 2 ** 31, 2 ** 32, -(2 ** 53 - 1), 2 ** 53 - 1];

/**
 * Documented bounds and extreme magnitudes are where servers break: a quarter of the values are
 * one of `edges`, not left to luck. A failing edge shrinks with `shrinker` (a range holding every
 * edge), towards the smallest value that still fails rather than to another edge.
 */
function withEdges<T>(range: fc.Arbitrary<T>, edges: T[], shrinker: fc.Arbitrary<T>): fc.Arbitrary<T> {
  const distinct = [...new Set(edges)];
  return distinct.length === 0 ? range : new EdgeBiased(range, distinct, shrinker);
}

/** Which arbitrary a value's shrink context belongs to: the plain range, or the shrinker an edge shrinks with. */
interface EdgeContext {
  from: 'range' | 'shrinker';
  inner: unknown;
}

class EdgeBiased<T> extends fc.Arbitrary<T> {
  constructor(
    private readonly range: fc.Arbitrary<T>,
    private readonly edges: T[],
    private readonly shrinker: fc.Arbitrary<T>,
  ) {
    super();
  }

  generate(random: fc.Random, biasFactor: number | undefined): fc.Value<T> {
    if (random.nextInt(0, 3) > 0) return tagged(this.range.generate(random, biasFactor), 'range');
    return new fc.Value(this.edges[random.nextInt(0, this.edges.length - 1)], undefined);
  }

  canShrinkWithoutContext(value: unknown): value is T {
    return this.shrinker.canShrinkWithoutContext(value);
  }

  shrink(value: T, context: unknown): fc.Stream<fc.Value<T>> {
    const own = context as EdgeContext | undefined;
    // Values from `range` shrink within it; edges (no context) and their shrinks go through `shrinker`.
    if (own?.from === 'range') return this.range.shrink(value, own.inner).map((v) => tagged(v, 'range'));
    return this.shrinker.shrink(value, own?.inner).map((v) => tagged(v, 'shrinker'));
  }
}

function tagged<T>(value: fc.Value<T>, from: EdgeContext['from']): fc.Value<T> {
  return new fc.Value(value.value_, { from, inner: value.context } satisfies EdgeContext);
}

function numberArbitrary(view: SchemaView): fc.Arbitrary<number> {
  const b = view.bounds;
  const min = b.min ?? (b.max !== undefined ? b.max - UNBOUNDED : -UNBOUNDED);
  const max = b.max ?? min + 2 * UNBOUNDED;
  if (view.multipleOf !== undefined) {
    const step = view.multipleOf;
    const decimals = Math.max(0, -Math.floor(Math.log10(step)) + 2);
    const low = b.minExcluded ? Math.floor(min / step) + 1 : Math.ceil(min / step);
    const high = b.maxExcluded ? Math.ceil(max / step) - 1 : Math.floor(max / step);
    return fc.integer({ min: low, max: high }).map((k) => Number((k * step).toFixed(decimals)));
  }
  const doubles = fc
    .double({ min, max, minExcluded: b.minExcluded, maxExcluded: b.maxExcluded, noNaN: true, noDefaultInfinity: true })
    .map((n) => (Object.is(n, -0) ? 0 : n));
  const inside = (n: number) =>
    (b.min === undefined || (b.minExcluded ? n > b.min : n >= b.min)) &&
    (b.max === undefined || (b.maxExcluded ? n < b.max : n <= b.max));
  // Bounds, the nearest doubles inside exclusive ones, and (where a side is open) huge and tiny magnitudes.
  const near = [
    b.min === undefined ? undefined : b.minExcluded ? nextUp(b.min) : b.min,
    b.max === undefined ? undefined : b.maxExcluded ? nextDown(b.max) : b.max,
    0,
    ...NUMBER_EXTREMES,
  ];
  const shrinker = fc.double({
    min: b.min ?? -Number.MAX_VALUE,
    max: b.max ?? Number.MAX_VALUE,
    minExcluded: b.minExcluded,
    maxExcluded: b.maxExcluded,
    noNaN: true,
    noDefaultInfinity: true,
  });
  return withEdges(
    doubles,
    near.filter((n): n is number => n !== undefined && Number.isFinite(n) && inside(n)),
    shrinker,
  );
}

/** Huge and tiny magnitudes: overflow, float-to-int conversion and underflow bugs. */
const NUMBER_EXTREMES = [1e308, -1e308, 1.7976931348623157e308, 5e-324, -5e-324, 1e-7, 2 ** 53 + 2, -(2 ** 63)];

const nextUp = (n: number) => n + Math.max(Number.EPSILON * Math.abs(n), Number.MIN_VALUE);
const nextDown = (n: number) => n - Math.max(Number.EPSILON * Math.abs(n), Number.MIN_VALUE);

/**
 * Generators for the formats the specs use and the usual rest, keyed by the format's name from the
 * spec (a `Map`: a format named `constructor` is just an unknown one).
 */
const FORMAT_GENERATORS = new Map<string, () => fc.Arbitrary<string>>(
  Object.entries({
    uuid: () => fc.uuid(),
    'date-time': () =>
      fc
        .date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true })
        .map((d) => d.toISOString()),
    date: () =>
      fc
        .date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true })
        .map((d) => d.toISOString().slice(0, 10)),
    time: () =>
      fc
        .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }), fc.integer({ min: 0, max: 59 }))
        .map(([h, m, sec]) => `${pad(h)}:${pad(m)}:${pad(sec)}Z`),
    email: () => fc.emailAddress(),
    uri: webUrl,
    url: webUrl,
    'uri-reference': webUrl,
    hostname: () => fc.domain(),
    ipv4: () => fc.ipV4(),
    ipv6: () => fc.ipV6(),
    byte: () => fc.base64String(),
  }),
);
/** Characters a URL path segment may hold as they are (RFC 3986's unreserved and sub-delimiters, ':' and '@'). */
const URL_PATH_CHARACTERS = [..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&'()*+,;=:@"];

/**
 * http(s) URLs: fast-check's host names, then path segments of plain characters and percent-encoded
 * bytes. Not `fc.webUrl()`: its path arbitrary maps every Unicode code point the first time one is
 * built (~0.6 s), which the first answer or request with a URL in it would wait for.
 */
function webUrl(): fc.Arbitrary<string> {
  const percentEncoded = fc
    .integer({ min: 0, max: 255 })
    .map((byte) => `%${byte.toString(16).padStart(2, '0').toUpperCase()}`);
  const unit = fc.oneof(
    { weight: 10, arbitrary: fc.constantFrom(...URL_PATH_CHARACTERS) },
    { weight: 1, arbitrary: percentEncoded },
  );
  const segments = fc.array(fc.string({ unit, maxLength: 10 }), { maxLength: 4 });
  return fc
    .tuple(fc.constantFrom('http', 'https'), fc.webAuthority(), segments)
    .map(([scheme, authority, path]) => `${scheme}://${authority}${path.map((segment) => `/${segment}`).join('')}`);
}

/** Each format's arbitrary, built once: fast-check's URL arbitrary alone takes milliseconds to build. */
const formatArbitraries = new Map<string, fc.Arbitrary<string>>();

function formatArbitrary(format: string): fc.Arbitrary<string> | undefined {
  let arbitrary = formatArbitraries.get(format);
  if (!arbitrary) {
    const generator = FORMAT_GENERATORS.get(format);
    if (!generator) return undefined;
    formatArbitraries.set(format, (arbitrary = generator()));
  }
  return arbitrary;
}

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * The check ajv-formats makes of a string in `format`, if any. A format defined for numbers
 * (`int64`, `int32`, `float`, `double`) does not apply to strings, as in ajv: DigitalOcean writes
 * `type: string, format: int64` for 64-bit ids, and a number check would refuse every string built.
 */
function formatCheck(format: string): ((value: string) => boolean) | undefined {
  if (!Object.hasOwn(fullFormats, format)) return undefined;
  const definition = (fullFormats as Record<string, unknown>)[format];
  if (definition instanceof RegExp) return (value) => definition.test(value);
  if (typeof definition === 'function') return definition as (value: string) => boolean;
  if (definition && typeof definition === 'object' && 'validate' in definition) {
    if ('type' in definition && definition.type !== 'string') return undefined;
    const validate = (definition as { validate: unknown }).validate;
    if (validate instanceof RegExp) return (value) => validate.test(value);
    if (typeof validate === 'function') return validate as (value: string) => boolean;
  }
  return undefined;
}

/**
 * One code point per unit, so fast-check's length is ajv's length. Fixed sets rather than unit
 * 'binary', which can yield lone surrogates (not valid UTF-8 on the wire) and builds a
 * million-entry table per arbitrary when shrinking.
 */
const ASTRAL = [...'😀🚀👍🏽𝔘𝟘🀄🧪𠜎'];
/** Characters servers trip over: outside the BMP, combining marks, right-to-left text and overrides, NUL and invisible ones. */
const HOSTILE = [
  ...ASTRAL,
  ...ASTRAL,
  '\u0301',
  '\u0308',
  '\u20dd',
  '\u202e',
  '\u200f',
  'ع',
  'ש',
  '\u0000',
  '\u200b',
  '\ufeff',
  '\u2028',
];
const HOSTILE_UNIT = fc.constantFrom(...HOSTILE);
const TEXT_UNIT = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom(...[...'aZ09 éüñßøåçÆœ λπΩ жшщ 中文字 日本語 한국어 عربي עברית \t\n\u00a0"\\/<>&']),
  },
  { weight: 1, arbitrary: HOSTILE_UNIT },
);

/** ajv counts string length in code points, as `[...s].length` does. */
const codePoints = (value: string) => [...value].length;

/** A string of `minLength`..`maxLength` code points holding at least one hostile character. */
function hostileString(minLength: number, maxLength: number): fc.Arbitrary<string> | undefined {
  if (maxLength < 1) return undefined;
  return fc
    .tuple(
      fc.string({
        unit: TEXT_UNIT,
        minLength: Math.max(0, minLength - 1),
        maxLength: Math.max(0, Math.min(maxLength, minLength + 24) - 1),
      }),
      HOSTILE_UNIT,
      fc.nat(),
    )
    .map(([text, special, at]) => {
      const units = [...text];
      units.splice(at % (units.length + 1), 0, special);
      return units.join('');
    });
}

function stringArbitrary(view: SchemaView, options: Resolved): fc.Arbitrary<string> {
  const { pattern, format } = view;
  const minLength = view.minLength ?? 0;
  const maxLength = view.maxLength;
  let arbitrary: fc.Arbitrary<string>;
  const formatted = format ? formatArbitrary(format) : undefined;
  if (pattern) {
    arbitrary = patternArbitrary(pattern);
  } else if (formatted) {
    arbitrary = formatted;
  } else if (options.text === 'ascii') {
    arbitrary = fc.string({ minLength, maxLength: maxLength ?? Math.max(minLength, 24) });
  } else {
    const limits = { minLength, maxLength: maxLength ?? Math.max(minLength, 24) };
    // The exact documented lengths, where off-by-one bugs live, in characters that take more than one UTF-16 unit.
    const exactLengths = [
      ...new Set([minLength, ...(maxLength !== undefined && maxLength <= 4096 ? [maxLength] : [])]),
    ];
    const hostile = hostileString(limits.minLength, limits.maxLength);
    // Built here, not at each draw: the chain picks one of these.
    const ofExactLength = new Map(
      exactLengths.map((length) => [length, fc.string({ minLength: length, maxLength: length, unit: TEXT_UNIT })]),
    );
    arbitrary = fc.oneof(
      { weight: 2, arbitrary: fc.string(limits) },
      {
        weight: 1,
        arbitrary: fc.constantFrom(...exactLengths).chain((length) => ofExactLength.get(length)!),
      },
      // Crash finders, in a good share of every run rather than by luck.
      ...(hostile ? [{ weight: 3, arbitrary: hostile }] : []),
    );
  }
  const checkFormat = format ? formatCheck(format) : undefined;
  const needsLengthCheck = pattern || formatted;
  if (!checkFormat && !needsLengthCheck) return arbitrary;
  return arbitrary.filter(
    (value) =>
      (!checkFormat || checkFormat(value)) &&
      (!needsLengthCheck ||
        (codePoints(value) >= minLength && (maxLength === undefined || codePoints(value) <= maxLength))),
  );
}

/**
 * Strings matching `pattern`. fast-check builds no word boundary (`\b`, `\B`; DigitalOcean's UUID
 * patterns carry them): such a pattern is built without them, a wider language, and each value is
 * held to the pattern itself.
 */
export function patternArbitrary(pattern: string): fc.Arbitrary<string> {
  const regex = schemaRegExp(pattern);
  try {
    return fc.stringMatching(regex);
  } catch (error) {
    const withoutBoundaries = pattern.replace(/(?<!\\)((?:\\\\)*)\\[bB]/g, '$1');
    if (withoutBoundaries === pattern) throw error;
    return fc.stringMatching(schemaRegExp(withoutBoundaries)).filter((value) => regex.test(value));
  }
}

function arrayArbitrary(view: SchemaView, options: Resolved, depth: number): fc.Arbitrary<unknown[]> {
  const minLength = Math.max(view.minItems ?? 0, options.nonEmpty && view.maxItems !== 0 ? 1 : 0);
  const deep = depth >= options.maxDepth;
  const maxLength: number = deep
    ? minLength
    : Math.max(minLength, Math.min(view.maxItems ?? options.maxItems, minLength + options.maxItems));
  const prefix = view.prefixItems;
  // Past the depth an empty array is built without its items' arbitrary, which a cycle (a compound
  // filter's `filters` holding compound filters) would build again and again.
  if (prefix.length === 0 && maxLength === 0) return fc.constant([]);
  const itemSchema: JsonSchema = view.items ?? {};
  const item = build(itemSchema, options, depth + 1);
  const rest = view.uniqueItems
    ? fc.uniqueArray(item, {
        minLength: Math.max(0, minLength - prefix.length),
        maxLength: Math.max(0, maxLength - prefix.length),
        selector: (v) => JSON.stringify(v),
      })
    : fc.array(item, {
        minLength: Math.max(0, minLength - prefix.length),
        maxLength: Math.max(0, maxLength - prefix.length),
      });
  if (prefix.length === 0) return rest;
  return fc
    .tuple(fc.tuple(...prefix.map((p) => build(p, options, depth + 1))), rest)
    .map(([head, tail]) => [...head, ...tail]);
}

function objectArbitrary(view: SchemaView, options: Resolved, depth: number): fc.Arbitrary<Record<string, unknown>> {
  const isHidden = (property: JsonSchema | undefined) => hiddenIn(options.direction, property);
  // A readOnly property is not sent, required or not: OpenAPI's `required` holds for it in answers only (and writeOnly conversely).
  const required = new Set<string>([...view.required].filter((name) => !isHidden(view.properties.get(name))));
  const deep = depth >= options.maxDepth;
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  // A form's object needs one property at least: deep down, the first one stands in for a required one.
  const kept =
    deep && options.nonEmpty && required.size === 0
      ? [...view.properties.keys()].find((name) => !isHidden(view.properties.get(name)))
      : undefined;
  for (const [name, property] of view.properties) {
    if (isHidden(property)) continue;
    if (deep && !required.has(name) && name !== kept) continue;
    model[name] = build(property, options, depth + 1);
  }
  if (kept !== undefined) required.add(kept);
  // Required names the schema does not describe still need a value.
  for (const name of required) model[name] ??= anyJson();
  const requiredKeys = [...required].filter((name) => name in model);
  const fields = Object.keys(model).length;
  const record = withoutForbiddenSet(
    options.nonEmpty && requiredKeys.length === 0 && fields > 0
      ? fc.record(model, { requiredKeys }).filter((value) => Object.keys(value).length > 0)
      : fc.record(model, { requiredKeys }),
    view.merged.not,
    required,
  );
  const extra = view.additional;
  const wantsMap = typeof extra === 'object' && !deep;
  const opensUp = view.additional !== false && view.maxProperties !== 0;
  const minExtra = Math.max(0, (view.minProperties ?? 0) - fields, options.nonEmpty && fields === 0 && opensUp ? 1 : 0);
  if (!wantsMap && minExtra === 0) return record;
  const known = new Set(view.properties.keys());
  // In forms and parameters (text 'ascii') brackets nest keys (`a[b]`): a key holding one could not be sent as itself.
  const key = fc
    .string({ minLength: 1, maxLength: 12 })
    .filter((k) => !known.has(k) && k !== '__proto__' && (options.text !== 'ascii' || !/[[\]]/.test(k)));
  const value = wantsMap ? build(extra, options, depth + 1) : anyJson();
  const map = fc.dictionary(key, value, {
    minKeys: minExtra,
    maxKeys: Math.max(minExtra, Math.min(view.maxProperties ?? options.maxItems, options.maxItems)),
  });
  return fc.tuple(record, map).map(([fixed, more]) => ({ ...more, ...fixed }));
}

/**
 * `not: {required: [a, b]}` (OpenAI's image reference: an URL or a file id, not both): where a value
 * holds every one of the names, one the schema does not require is left out.
 */
function withoutForbiddenSet(
  record: fc.Arbitrary<Record<string, unknown>>,
  not: unknown,
  required: ReadonlySet<string>,
): fc.Arbitrary<Record<string, unknown>> {
  const names = isPlainObject(not) && Object.keys(not).length === 1 && Array.isArray(not.required) ? not.required : [];
  const optional = names.find((name): name is string => typeof name === 'string' && !required.has(name));
  if (optional === undefined) return record;
  return record.map((value) => {
    if (!names.every((name) => typeof name === 'string' && Object.hasOwn(value, name))) return value;
    const { [optional]: _left, ...rest } = value;
    return rest;
  });
}

function anyJson(): fc.Arbitrary<unknown> {
  return fc.jsonValue({ maxDepth: 2 }).map((v) => (Object.is(v, -0) ? 0 : v));
}
