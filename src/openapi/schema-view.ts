/**
 * One normalised reading of a dereferenced schema, shared by everything that walks schemas
 * (generation, examples, defaults, coverage probes, form and parameter reading): which JSON types
 * it admits (3.0 `type` + `nullable`, 3.1 type arrays, types implied by keywords), its union
 * branches and their discriminator tags, its `allOf` parts merged, its bounds and annotations.
 * Computed once per schema object; `$ref` cycles (through `allOf` or unions) are cut, not followed.
 */
import { type BranchTags, recordedBranchTags } from './discriminator.js';
import { isPlainObject } from './json-value.js';
import type { JsonSchema } from './types.js';

export type JsonType = 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array' | 'null';

export const JSON_TYPES: readonly JsonType[] = ['string', 'integer', 'number', 'boolean', 'object', 'array', 'null'];

/** A schema object with its keywords read as unknown data. */
export type SchemaObject = Record<string, unknown>;

export interface Bounds {
  min: number | undefined;
  max: number | undefined;
  minExcluded: boolean;
  maxExcluded: boolean;
}

export interface SchemaView {
  /** The schema itself with its `allOf` parts folded in (no `allOf` left at the top). */
  readonly merged: SchemaObject;
  /**
   * The types the schema names (`type`, or implied by keywords such as `properties`), `null`
   * added where 3.0's `nullable` says so. Empty: it names none (any type, as far as it says).
   */
  readonly types: readonly JsonType[];
  /** Every type a value may have through its branches and `allOf` parts; `integer` whenever `number`. */
  readonly admits: ReadonlySet<JsonType>;
  /** `oneOf`/`anyOf` alternatives, each merged with the keywords beside the union. */
  readonly branches: readonly JsonSchema[];
  readonly unionKeyword: 'oneOf' | 'anyOf' | undefined;
  /** A discriminated union's tag property and the tag values of each branch. */
  readonly tags: BranchTags | undefined;
  /** `enum` members, or `[const]`. */
  readonly members: readonly unknown[] | undefined;
  readonly memberKeyword: 'enum' | 'const' | undefined;
  readonly properties: ReadonlyMap<string, JsonSchema>;
  readonly required: ReadonlySet<string>;
  /** `additionalProperties` (or `unevaluatedProperties`) when it is a schema or false. */
  readonly additional: JsonSchema | undefined;
  readonly items: JsonSchema | undefined;
  readonly prefixItems: readonly JsonSchema[];
  readonly bounds: Bounds;
  readonly multipleOf: number | undefined;
  readonly minLength: number | undefined;
  readonly maxLength: number | undefined;
  readonly pattern: string | undefined;
  readonly format: string | undefined;
  readonly minItems: number | undefined;
  readonly maxItems: number | undefined;
  readonly uniqueItems: boolean;
  readonly minProperties: number | undefined;
  readonly maxProperties: number | undefined;
  readonly readOnly: boolean;
  readonly writeOnly: boolean;
}

const views = new WeakMap<object, SchemaView>();
/** Schemas whose view is being built: meeting one again is a `$ref` cycle. */
const building = new WeakSet<object>();

const EMPTY: SchemaObject = {};

/** The view of a schema (`true`, `undefined` and non-objects read as the empty schema). */
export function viewOf(schema: JsonSchema | undefined): SchemaView {
  const object = isPlainObject(schema) ? schema : EMPTY;
  let view = views.get(object);
  if (!view) {
    if (building.has(object)) return cycleView(object);
    building.add(object);
    try {
      view = buildView(object);
    } finally {
      building.delete(object);
    }
    views.set(object, view);
  }
  return view;
}

/** The view of a schema met again while its own view is built: its own keywords, nothing through its parts. */
function cycleView(schema: SchemaObject): SchemaView {
  const { allOf: _parts, anyOf: _any, oneOf: _one, ...own } = schema;
  return buildView(own);
}

function buildView(schema: SchemaObject): SchemaView {
  const merged = Array.isArray(schema.allOf) && schema.allOf.length > 0 ? mergeAllOf(schema, new Set()) : schema;
  const types = typesNamed(merged);
  const unionKeyword = Array.isArray(merged.oneOf) ? 'oneOf' : Array.isArray(merged.anyOf) ? 'anyOf' : undefined;
  const union = unionKeyword ? (merged[unionKeyword] as JsonSchema[]) : [];
  const siblings = unionKeyword ? withoutKeys(merged, ['oneOf', 'anyOf']) : EMPTY;
  const recordedTags = unionKeyword ? recordedBranchTags(schema) : undefined;
  const { branches, tags } = hasConstraints(siblings)
    ? satisfiableBranches(
        union.map((branch) => mergeAllOf({ allOf: [siblings, branch] }, new Set())),
        recordedTags,
      )
    : { branches: union, tags: recordedTags };
  const properties = new Map<string, JsonSchema>();
  if (isPlainObject(merged.properties))
    for (const [name, property] of Object.entries(merged.properties)) properties.set(name, property as JsonSchema);
  const extra = merged.additionalProperties ?? merged.unevaluatedProperties;
  const members = Array.isArray(merged.enum) ? merged.enum : merged.const !== undefined ? [merged.const] : undefined;
  const items = merged.items;
  return {
    merged,
    types,
    admits: admittedTypes(merged, types, union),
    branches,
    unionKeyword,
    tags,
    members,
    memberKeyword: Array.isArray(merged.enum) ? 'enum' : merged.const !== undefined ? 'const' : undefined,
    properties,
    required: new Set(Array.isArray(merged.required) ? merged.required.filter((n) => typeof n === 'string') : []),
    additional: isPlainObject(extra) || extra === false ? (extra as JsonSchema) : undefined,
    items: isPlainObject(items) || typeof items === 'boolean' ? (items as JsonSchema) : undefined,
    prefixItems: Array.isArray(merged.prefixItems) ? (merged.prefixItems as JsonSchema[]) : [],
    bounds: boundsOf(merged),
    multipleOf: positive(merged.multipleOf),
    minLength: count(merged.minLength),
    maxLength: count(merged.maxLength),
    pattern: typeof merged.pattern === 'string' ? merged.pattern : undefined,
    format: typeof merged.format === 'string' ? merged.format : undefined,
    minItems: count(merged.minItems),
    maxItems: count(merged.maxItems),
    uniqueItems: merged.uniqueItems === true,
    minProperties: count(merged.minProperties),
    maxProperties: count(merged.maxProperties),
    readOnly: merged.readOnly === true,
    writeOnly: merged.writeOnly === true,
  };
}

const isJsonType = (value: unknown): value is JsonType => JSON_TYPES.includes(value as JsonType);

/** The types a schema names itself (its `allOf` parts aside): `type` (string or 3.1 array), else those its keywords imply; `nullable` adds null. */
export function typesNamed(schema: SchemaObject): JsonType[] {
  const declared: JsonType[] = Array.isArray(schema.type)
    ? schema.type.filter(isJsonType)
    : isJsonType(schema.type)
      ? [schema.type]
      : impliedTypes(schema);
  // 3.0's nullable beside no type at all means "anything, or null": it names no type either.
  if (schema.nullable === true && declared.length > 0 && !declared.includes('null')) declared.push('null');
  return declared;
}

function impliedTypes(schema: SchemaObject): JsonType[] {
  if (schema.properties || schema.additionalProperties !== undefined || schema.required) return ['object'];
  if (schema.items || schema.prefixItems) return ['array'];
  if (schema.minLength !== undefined || schema.maxLength !== undefined || schema.pattern || schema.format)
    return ['string'];
  if (schema.minimum !== undefined || schema.maximum !== undefined || schema.multipleOf !== undefined)
    return ['number'];
  return [];
}

/**
 * Every type a value may take: the named ones narrowed by the union's branches (each of which may
 * widen nothing the schema itself rules out). A schema that names none and has no branches admits all.
 */
function admittedTypes(merged: SchemaObject, types: readonly JsonType[], union: readonly JsonSchema[]): Set<JsonType> {
  let admitted = new Set<JsonType>(types.length > 0 ? types : JSON_TYPES);
  if (types.length === 0 && merged.nullable === true) admitted = new Set(JSON_TYPES);
  if (union.length > 0) {
    const fromBranches = new Set<JsonType>();
    for (const branch of union) for (const type of viewOf(branch).admits) fromBranches.add(type);
    if (merged.nullable === true) fromBranches.add('null');
    admitted = new Set([...admitted].filter((type) => fromBranches.has(type)));
    if (types.length === 0) admitted = fromBranches;
  }
  if (Array.isArray(merged.enum) && merged.enum.length > 0) {
    const ofMembers = new Set(merged.enum.map(typeOfValue));
    admitted = new Set(
      [...admitted].filter((type) => ofMembers.has(type) || (type === 'number' && ofMembers.has('integer'))),
    );
  }
  if (admitted.has('number')) admitted.add('integer');
  return admitted;
}

/** The JSON type of a value (whole numbers are integers). */
export function typeOfValue(value: unknown): JsonType {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  if (typeof value === 'string' || typeof value === 'boolean') return typeof value as JsonType;
  return 'object';
}

const CONSTRAINING = [
  'type',
  'properties',
  'required',
  'minimum',
  'maximum',
  'minLength',
  'maxLength',
  'format',
  'items',
];

function hasConstraints(schema: SchemaObject): boolean {
  return CONSTRAINING.some((keyword) => keyword in schema);
}

function withoutKeys(schema: SchemaObject, keys: readonly string[]): SchemaObject {
  const out: SchemaObject = {};
  for (const [key, value] of Object.entries(schema)) if (!keys.includes(key)) defineOwn(out, key, value);
  return out;
}

/** Sets a key as an own data property, so a spec's "__proto__" property name stays a plain key. */
function defineOwn(target: SchemaObject, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * Folds `allOf` parts into one schema: properties merged per name (a name declared twice gets
 * both schemas as an `allOf`), `required` united, types intersected, bounds tightened, the rest
 * layered (a later part's keyword wins). A part met again down its own chain is left out.
 */
function mergeAllOf(schema: SchemaObject, visiting: Set<object>): SchemaObject {
  visiting.add(schema);
  const parts: SchemaObject[] = [withoutKeys(schema, ['allOf'])];
  for (const part of schema.allOf as unknown[]) {
    if (!isPlainObject(part) || visiting.has(part)) continue;
    parts.push(Array.isArray(part.allOf) ? mergeAllOf(part, visiting) : part);
  }
  visiting.delete(schema);
  const merged: SchemaObject = {};
  const properties = new Map<string, JsonSchema[]>();
  const required = new Set<string>();
  for (const part of parts) {
    for (const [key, value] of Object.entries(part)) {
      if (key === 'properties' && isPlainObject(value)) {
        for (const [name, property] of Object.entries(value)) {
          const list = properties.get(name);
          if (list) list.push(property as JsonSchema);
          else properties.set(name, [property as JsonSchema]);
        }
      } else if (key === 'required' && Array.isArray(value)) {
        for (const name of value) if (typeof name === 'string') required.add(name);
      } else if (key === 'type' && merged.type !== undefined) {
        defineOwn(merged, key, intersectTypes(merged.type, value));
      } else if (TIGHTER[key] && typeof value === 'number' && typeof merged[key] === 'number') {
        defineOwn(merged, key, TIGHTER[key](merged[key] as number, value));
      } else {
        defineOwn(merged, key, value);
      }
    }
  }
  if (properties.size > 0) {
    const mergedProperties: SchemaObject = {};
    for (const [name, list] of properties)
      defineOwn(mergedProperties, name, list.length === 1 ? list[0] : { allOf: list });
    merged.properties = mergedProperties;
  }
  if (required.size > 0) merged.required = [...required];
  // `nullable` widens only its own part's type: another part naming types without null still refuses null.
  if (merged.nullable === true && parts.some(refusesNull)) delete merged.nullable;
  return merged;
}

/** True when a part names its types and null is none of them (no `nullable: true` either). */
function refusesNull(part: SchemaObject): boolean {
  if (part.type === undefined || part.nullable === true) return false;
  return !(Array.isArray(part.type) ? part.type : [part.type]).includes('null');
}

/**
 * Branches merged with the keywords beside the union, less those whose types the siblings rule
 * out (`anyOf: [integer, null]` beside `type: integer` keeps only the integer): an empty type list
 * would otherwise read as "any type". All are kept when none would be left.
 */
function satisfiableBranches(
  merged: SchemaObject[],
  tags: BranchTags | undefined,
): { branches: JsonSchema[]; tags: BranchTags | undefined } {
  const kept = merged.flatMap((branch, index) =>
    Array.isArray(branch.type) && branch.type.length === 0 ? [] : [index],
  );
  if (kept.length === merged.length || kept.length === 0) return { branches: merged, tags };
  return {
    branches: kept.map((index) => merged[index]),
    tags: tags && { propertyName: tags.propertyName, tags: kept.map((index) => tags.tags[index]) },
  };
}

/** For bounds two parts both set, the one that holds for both. */
const TIGHTER: Record<string, (a: number, b: number) => number> = Object.assign(Object.create(null), {
  minimum: Math.max,
  maximum: Math.min,
  minLength: Math.max,
  maxLength: Math.min,
  minItems: Math.max,
  maxItems: Math.min,
  minProperties: Math.max,
  maxProperties: Math.min,
});

function intersectTypes(a: unknown, b: unknown): JsonType | JsonType[] {
  const left = (Array.isArray(a) ? a : [a]).filter(isJsonType);
  const right = (Array.isArray(b) ? b : [b]).filter(isJsonType);
  const both = left.filter((t) => right.includes(t) || (t === 'integer' && right.includes('number')));
  for (const t of right) if (t === 'integer' && left.includes('number') && !both.includes(t)) both.push(t);
  return both.length === 1 ? both[0] : both;
}

/** Reads bounds in both dialects: 3.1 numeric exclusive bounds and 3.0 boolean flags. */
export function boundsOf(schema: SchemaObject): Bounds {
  let min = finite(schema.minimum);
  let max = finite(schema.maximum);
  let [minExcluded, maxExcluded] = [schema.exclusiveMinimum === true, schema.exclusiveMaximum === true];
  const exclusiveMin = finite(schema.exclusiveMinimum);
  const exclusiveMax = finite(schema.exclusiveMaximum);
  if (min === undefined) minExcluded = false;
  if (max === undefined) maxExcluded = false;
  if (exclusiveMin !== undefined && (min === undefined || exclusiveMin >= min))
    [min, minExcluded] = [exclusiveMin, true];
  if (exclusiveMax !== undefined && (max === undefined || exclusiveMax <= max))
    [max, maxExcluded] = [exclusiveMax, true];
  return { min, max, minExcluded, maxExcluded };
}

function finite(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined;
}

function positive(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined;
}

/** Whether a schema asks for arrays in particular (not merely admits anything, arrays included). */
export function wantsArray(view: SchemaView): boolean {
  return view.admits.has('array') && view.admits.size < JSON_TYPES.length;
}

/** Whether the view says a value is hidden in this direction: readOnly in requests, writeOnly in responses. */
export function hiddenIn(direction: 'request' | 'response', schema: JsonSchema | undefined): boolean {
  const view = viewOf(schema);
  return direction === 'request' ? view.readOnly : view.writeOnly;
}

/**
 * A parameter's, header's or form field's text as the scalar its schema wants: `"5"` → 5 where a
 * number is admitted and text is not, `"true"` → true, `""` or `"null"` → null where null is.
 * Text stays text where the schema admits it as a string (`"null"` for `anyOf: [enum [auto], null]`
 * is null: no string it admits reads "null").
 */
export function scalarFromText(text: string, schema: JsonSchema | undefined): unknown {
  const admits = viewOf(schema).admits;
  if (readsAsString(text, schema)) return text;
  if ((text === '' || text === 'null') && admits.has('null')) return null;
  if (admits.has('number') || admits.has('integer')) {
    if (text.trim() !== '' && Number.isFinite(Number(text))) return Number(text);
  }
  if (admits.has('boolean') && (text === 'true' || text === 'false')) return text === 'true';
  return text;
}

/** Most levels of nested unions read for the strings a schema lists. */
const MAX_LISTED_DEPTH = 8;

/** Whether `text` is a string value the schema admits: it admits strings, and lists none of them or `text` among them. */
export function readsAsString(text: string, schema: JsonSchema | undefined): boolean {
  if (!viewOf(schema).admits.has('string')) return false;
  const listed = listedStrings(schema, 0);
  return listed === undefined || listed.includes(text);
}

/**
 * The strings a schema admits when every branch of it that admits strings lists them (`enum`,
 * `const`), or undefined when some branch takes any string.
 */
function listedStrings(schema: JsonSchema | undefined, depth: number): string[] | undefined {
  const view = viewOf(schema);
  if (depth > MAX_LISTED_DEPTH) return undefined;
  if (view.members) return view.members.filter((member): member is string => typeof member === 'string');
  if (view.branches.length === 0) return view.admits.has('string') ? undefined : [];
  const listed: string[] = [];
  for (const branch of view.branches) {
    if (!viewOf(branch).admits.has('string')) continue;
    const own = listedStrings(branch, depth + 1);
    if (own === undefined) return undefined;
    listed.push(...own);
  }
  return listed;
}
