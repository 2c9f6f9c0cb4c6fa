/**
 * The one walk over a request's schemas: beside a valid value, every constraint reachable from it
 * (nested objects and array items included) and the probes that test it, each on one side of it:
 * at a bound and just past it, a required field left out, a near-miss of an enum, const or format,
 * a type confusion, an extra property where none is allowed, each anyOf/oneOf branch once.
 *
 * The coverage phase sends every probe; the fuzz phase's invalid requests pick the invalid ones of
 * one kind from a generated request. Neither trusts a probe blindly: the spec's own validator
 * confirms each one is valid or invalid as it claims before it is sent.
 */
import { schemaRegExp } from '../openapi/pattern.js';
import { exampleFromSchema } from '../openapi/example.js';
import { hiddenIn, JSON_TYPES, type JsonType, type SchemaView, viewOf } from '../openapi/schema-view.js';
import type { JsonSchema } from '../openapi/types.js';
import type { ViolationKind } from './types.js';

export type Segment = string | number;

/** Marks a probe that leaves its field out. */
export const REMOVE: unique symbol = Symbol('remove');

export interface Probe {
  /** Which constraint it tests, e.g. "body.recall_options.limit maximum" (array items as "[]"). */
  constraint: string;
  /** Which side of the constraint the value is meant to be on. */
  expect: 'valid' | 'invalid';
  /** For an invalid probe: the kind of violation, as the fuzz phase names them. */
  kind?: ViolationKind;
  /** Where the value goes, below the body or parameter root. */
  path: Segment[];
  value: unknown;
  description: string;
  /**
   * What makes two probes the same test: the constraint, the side and the value at the constrained
   * place. A probe of an anyOf/oneOf branch carries the whole branch value, but is the same test as
   * the probe of that place in the request's own branch.
   */
  identity: string;
}

/** One sample value of each JSON type, to put where the schema wants another. */
export const TYPE_SAMPLES: readonly [string, unknown][] = [
  ['string', 'not-the-right-type'],
  ['integer', 12345],
  ['number', 1.5],
  ['boolean', true],
  ['object', { unexpected: true }],
  ['array', ['unexpected']],
  ['null', null],
];

/** Enumerations longer than this get a near-miss but not every member sent. */
const MAX_ENUM_MEMBERS_SENT = 12;
/** Strings longer than this are not built at a bound (a request a few hundred KB large proves little more). */
const MAX_BUILT_LENGTH = 65_536;
/** Arrays longer than this are not built to probe their bounds. */
const MAX_BUILT_ITEMS = 1_000;

/** Alternatives worked out once per schema: the walk runs for every generated request of the fuzz phase. */
const alternativesByView = new WeakMap<SchemaView, SchemaView[]>();

/** The alternatives a value may take: anyOf/oneOf branches flattened (each with its `allOf` parts merged). */
function alternatives(schema: JsonSchema | undefined): SchemaView[] {
  const view = viewOf(schema);
  let found = alternativesByView.get(view);
  if (!found)
    alternativesByView.set(view, (found = view.branches.length > 0 ? view.branches.flatMap(alternatives) : [view]));
  return found;
}

const isNumeric = (view: SchemaView) => view.types.some((t) => t === 'number' || t === 'integer');
const isIntegerOnly = (view: SchemaView) => view.types.includes('integer') && !view.types.includes('number');

/** A step far below any bound's own scale, still representable next to it. */
const epsilonAt = (bound: number) => Math.max(Math.abs(bound), 1) * 1e-9;

/** Probes of the numeric bounds of one branch: at each bound and past it, by 1, and for numbers by 0.5 and an epsilon. */
function numericProbes(
  branch: SchemaView,
  at: (constraint: string, expect: Probe['expect'], value: number, why: string) => void,
): void {
  const { min, max, minExcluded, maxExcluded } = branch.bounds;
  const integer = isIntegerOnly(branch);
  const steps = integer ? [1] : [1, 0.5];
  if (max !== undefined) {
    const name = maxExcluded ? 'exclusiveMaximum' : 'maximum';
    if (maxExcluded) {
      at(name, 'invalid', max, `at exclusiveMaximum ${max}`);
      at(name, 'valid', integer ? Math.ceil(max) - 1 : max - epsilonAt(max), `just below exclusiveMaximum ${max}`);
    } else {
      at(name, 'valid', max, `at maximum ${max}`);
      for (const step of steps) at(name, 'invalid', max + step, `above maximum ${max}`);
      if (!integer) at(name, 'invalid', max + epsilonAt(max), `just above maximum ${max}`);
    }
  }
  if (min !== undefined) {
    const name = minExcluded ? 'exclusiveMinimum' : 'minimum';
    if (minExcluded) {
      at(name, 'invalid', min, `at exclusiveMinimum ${min}`);
      at(name, 'valid', integer ? Math.floor(min) + 1 : min + epsilonAt(min), `just above exclusiveMinimum ${min}`);
    } else {
      at(name, 'valid', min, `at minimum ${min}`);
      for (const step of steps) at(name, 'invalid', min - step, `below minimum ${min}`);
      if (!integer) at(name, 'invalid', min - epsilonAt(min), `just below minimum ${min}`);
    }
  }
}

/** A value of the right format but for one small mistake, from a valid value where one is at hand. */
export function formatNearMiss(format: string, valid: unknown): string {
  const text = typeof valid === 'string' ? valid : '';
  switch (format) {
    case 'uuid':
      // A bad nibble: right length, right dashes, one character that is not hex.
      return /^[0-9a-f-]{36}$/i.test(text) ? `${text.slice(0, 35)}g` : '5e8f6f3e-2b1c-4a7d-9c3e-1f2a3b4c5d6g';
    case 'date-time':
      return '2025-01-01T00:00:00'; // no offset
    case 'date':
      return '2025-02-30';
    case 'time':
      return '25:00:00Z';
    case 'email':
      return 'user.example.com';
    case 'uri':
    case 'url':
      return 'example.com/no-scheme';
    case 'hostname':
      return '-bad-.example.com';
    case 'ipv4':
      return '256.0.0.1';
    case 'ipv6':
      return '2001:db8::g';
    default:
      return `not-a-valid-${format}`;
  }
}

/** A member's near miss: another case, a trailing character, the next number; never a member itself. */
const nearMisses = new WeakMap<readonly unknown[], unknown>();
function enumNearMiss(members: readonly unknown[]): unknown {
  if (!nearMisses.has(members)) nearMisses.set(members, nearMissOf(members));
  return nearMisses.get(members);
}

function nearMissOf(members: readonly unknown[]): unknown {
  const taken = new Set(members.map((m) => JSON.stringify(m)));
  const candidates: unknown[] = [];
  for (const member of members) {
    if (typeof member === 'string') {
      const swapped = member.replace(/[a-z]/i, (c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase()));
      candidates.push(swapped, `${member}_`, `${member} `);
    } else if (typeof member === 'number') {
      candidates.push(member + 1, member - 1);
    } else if (typeof member === 'boolean') {
      candidates.push(!member);
    }
  }
  candidates.push('not-one-of-the-allowed-values');
  return candidates.find((c) => !taken.has(JSON.stringify(c)));
}

const label = (root: string, path: Segment[]) =>
  path.reduce<string>((out, segment) => (typeof segment === 'number' ? `${out}[]` : `${out}.${segment}`), root);

/**
 * Every probe reachable from `value` under `schema` (a dereferenced schema), below `root` ("body",
 * "query.limit"...). Walks only where the value has nodes: a probe edits one place of a valid value.
 */
export function probesOf(
  schema: JsonSchema | undefined,
  value: unknown,
  root: string,
  direction: 'request' | 'response' = 'request',
  onlyKind?: ViolationKind,
): Probe[] {
  const out: Probe[] = [];
  const keeps: ProbeFilter = onlyKind ? (expect, kind) => expect === 'invalid' && kind === onlyKind : () => true;
  walk(schema, value, [], root, out, { direction, keeps, key: `${direction}\u0000${onlyKind ?? '*'}` }, 0);
  return out;
}

interface KindSource {
  /** The keywords it starts from: a schema with none of them anywhere has no probe of the kind. */
  readonly keywords: readonly string[];
  /** Whether one branch of a node (its `allOf` parts merged) can give it from its own keywords. */
  readonly offeredBy?: (branch: SchemaView) => boolean;
}

/**
 * Which keywords give which kind of invalid probe, said once: nodeProbes builds a kind only where
 * `offeredBy` holds, invalidKindsOf passes over the nodes it never holds for, and mayHaveProbes
 * reads the keywords. A predicate may hold where no probe is built (array probes also need an
 * array value, a pattern a string that misses it), never the other way round. The kinds childProbes
 * makes (a required field left out, an extra property) have keywords only; wrong_type, which almost
 * every node has, is not listed.
 */
const KIND_SOURCES = {
  missing_required_field: { keywords: ['required'] },
  additional_property: { keywords: ['additionalProperties'] },
  out_of_range_number: {
    keywords: ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum'],
    offeredBy: (branch) => isNumeric(branch) && (branch.bounds.min !== undefined || branch.bounds.max !== undefined),
  },
  string_too_short: {
    keywords: ['minLength'],
    // Not at minLength 0 (no string is shorter), nor past the longest string built.
    offeredBy: ({ minLength }) => minLength !== undefined && minLength > 0 && minLength <= MAX_BUILT_LENGTH,
  },
  string_too_long: {
    keywords: ['maxLength'],
    offeredBy: ({ maxLength }) => maxLength !== undefined && maxLength < MAX_BUILT_LENGTH,
  },
  bad_format: {
    keywords: ['format'],
    // A number's format (int32, double) is a width, not a text shape to miss.
    offeredBy: (branch) => branch.format !== undefined && !isNumeric(branch),
  },
  outside_enum: {
    keywords: ['enum', 'const'],
    offeredBy: (branch) => branch.members !== undefined && branch.memberKeyword !== undefined,
  },
  pattern_mismatch: { keywords: ['pattern'], offeredBy: (branch) => branch.pattern !== undefined },
  array_size: {
    keywords: ['minItems', 'maxItems'],
    offeredBy: (branch) => branch.minItems !== undefined || branch.maxItems !== undefined,
  },
  duplicate_items: { keywords: ['uniqueItems'], offeredBy: (branch) => branch.uniqueItems },
} satisfies Partial<Record<ViolationKind, KindSource>>;

type Sourced = keyof typeof KIND_SOURCES;
/** The kinds a node's own keywords give: those the table has a predicate for. */
type NodeKind = { [K in Sourced]: (typeof KIND_SOURCES)[K] extends { offeredBy: unknown } ? K : never }[Sourced];
const NODE_KINDS = (Object.keys(KIND_SOURCES) as Sourced[]).filter(
  (kind): kind is NodeKind => 'offeredBy' in KIND_SOURCES[kind],
);
const offers = (branch: SchemaView, kind: NodeKind) => KIND_SOURCES[kind].offeredBy(branch);

/** Past this many objects and arrays a schema is taken to have every keyword rather than read on. */
const MAX_NODES_READ = 100_000;
const keywordsBySchema = new WeakMap<object, Set<string> | 'all'>();

/**
 * False when no value under `schema` can have an invalid probe of `kind`: no keyword that probe
 * starts from appears anywhere in the schema (its `allOf` parts and branches included). The walk
 * only reads a view's keywords from the schema's own objects, so this never says false wrongly;
 * it may say true for a schema whose keyword the walk never reaches. The fuzz phase asks it before
 * drawing requests for a kind that no request of the operation could carry.
 */
export function mayHaveProbes(schema: JsonSchema | undefined, kind: ViolationKind): boolean {
  const sources: Partial<Record<ViolationKind, KindSource>> = KIND_SOURCES;
  const keywords = sources[kind]?.keywords;
  if (!keywords) return true;
  if (!schema || typeof schema !== 'object') return false;
  const present = keywordsOf(schema);
  return present === 'all' || keywords.some((keyword) => present.has(keyword));
}

function keywordsOf(schema: object): Set<string> | 'all' {
  let present = keywordsBySchema.get(schema);
  if (!present) keywordsBySchema.set(schema, (present = keysAnywhere(schema)));
  return present;
}

/** Every object key in a (possibly cyclic) JSON graph, or 'all' past MAX_NODES_READ nodes. */
function keysAnywhere(root: object): Set<string> | 'all' {
  const keys = new Set<string>();
  const seen = new Set<object>();
  const pending: object[] = [root];
  while (pending.length > 0) {
    const node = pending.pop()!;
    if (seen.has(node)) continue;
    if (seen.add(node).size > MAX_NODES_READ) return 'all';
    const children = Array.isArray(node) ? node : Object.values(node);
    if (!Array.isArray(node)) for (const key of Object.keys(node)) keys.add(key);
    for (const child of children) if (child !== null && typeof child === 'object') pending.push(child);
  }
  return keys;
}

/**
 * Which probes a caller wants (`onlyKind`: the invalid ones of one kind). The walk builds only
 * those, so the fuzz phase asking for one kind per request does not pay for every probe.
 */
type ProbeFilter = (expect: Probe['expect'], kind: ViolationKind | undefined) => boolean;

interface WalkScope {
  direction: 'request' | 'response';
  keeps: ProbeFilter;
  /** Names direction and filter, for caching what depends on nothing else. */
  key: string;
}

/** A branch's example, made once per schema object and direction: the walk only reads it (probes edit copies). */
const branchExamples = { request: new WeakMap<object, unknown>(), response: new WeakMap<object, unknown>() };
function branchExample(branch: Record<string, unknown>, direction: WalkScope['direction']): unknown {
  const cache = branchExamples[direction];
  if (!cache.has(branch)) cache.set(branch, exampleFromSchema(branch, { direction }));
  return cache.get(branch);
}

function walk(
  schema: JsonSchema | undefined,
  value: unknown,
  path: Segment[],
  root: string,
  out: Probe[],
  scope: WalkScope,
  depth: number,
): void {
  if (!schema || typeof schema !== 'object' || depth > 8) return;
  // Named only when a probe is kept: the fuzz phase walks every generated body for one kind, and most nodes add none.
  let where: string | undefined;
  const add = (
    constraint: string,
    expect: Probe['expect'],
    kind: ViolationKind | undefined,
    probePath: Segment[],
    probeValue: unknown,
    why: string,
  ) => {
    if (!scope.keeps(expect, kind)) return;
    where ??= label(root, path);
    out.push({
      constraint: `${where} ${constraint}`,
      expect,
      ...(expect === 'invalid' && kind ? { kind } : {}),
      path: probePath,
      value: probeValue,
      description: `${where}${probeValue === REMOVE ? '' : ` = ${(JSON.stringify(probeValue) ?? 'undefined').slice(0, 40)}`}: ${why}`,
      identity: identityOf(`${where} ${constraint}`, expect, probeValue),
    });
  };
  if (path.length > 0 || root !== 'body') nodeProbes(schema, value, path, add, scope.keeps);
  if (value !== null && typeof value === 'object') childProbes(schema, value, path, root, out, scope, depth);
  // After the value's own branch, so a probe of the same place is kept in its smallest form.
  branchProbes(schema, value, path, root, out, scope, depth);
}

/** Required fields left out, an extra property where none is allowed, and the walk into each child present. */
function childProbes(
  schema: JsonSchema,
  value: object,
  path: Segment[],
  root: string,
  out: Probe[],
  scope: WalkScope,
  depth: number,
): void {
  const addExtra = (constraint: string, probePath: Segment[], probeValue: unknown, why: string) => {
    if (!scope.keeps('invalid', 'additional_property')) return;
    const where = label(root, path);
    out.push({
      constraint: `${where} ${constraint}`,
      expect: 'invalid',
      kind: 'additional_property',
      path: probePath,
      value: probeValue,
      description: `${where}: ${why}`,
      identity: identityOf(`${where} ${constraint}`, 'invalid', probeValue),
    });
  };
  const keepsMissing = scope.keeps('invalid', 'missing_required_field');
  for (const branch of alternatives(schema)) {
    if (Array.isArray(value)) {
      if (branch.items && value.length > 0) walk(branch.items, value[0], [...path, 0], root, out, scope, depth + 1);
      continue;
    }
    const present = (name: string) => Object.hasOwn(value, name);
    for (const name of keepsMissing ? branch.required : []) {
      if (!present(name) || hiddenIn(scope.direction, branch.properties.get(name))) continue;
      const field = label(root, [...path, name]);
      out.push({
        constraint: `${field} required`,
        expect: 'invalid',
        kind: 'missing_required_field',
        path: [...path, name],
        value: REMOVE,
        description: `required ${field} left out`,
        identity: identityOf(`${field} required`, 'invalid', REMOVE),
      });
    }
    if (branch.merged.additionalProperties === false && branch.properties.size > 0) {
      let extra = 'unexpected_property';
      while (present(extra) || branch.properties.has(extra)) extra += '_';
      addExtra('additionalProperties', [...path, extra], true, `${extra} is not a documented property`);
    }
    for (const [name, property] of branch.properties) {
      if (present(name))
        walk(property, (value as Record<string, unknown>)[name], [...path, name], root, out, scope, depth + 1);
    }
  }
}

function identityOf(constraint: string, expect: Probe['expect'], value: unknown): string {
  return `${constraint}\u0000${expect}\u0000${value === REMOVE ? '(removed)' : JSON.stringify(value)}`;
}

/**
 * The constraints of every anyOf/oneOf branch, not only of the one the value happens to take: each
 * branch's own example is walked, and its probes lifted to replace the whole value at this place.
 */
function branchProbes(
  schema: JsonSchema,
  value: unknown,
  path: Segment[],
  root: string,
  out: Probe[],
  scope: WalkScope,
  depth: number,
): void {
  let valueText: string | undefined;
  for (const branch of viewOf(schema).branches) {
    if (!branch || typeof branch !== 'object') continue;
    const example = branchExample(branch, scope.direction);
    if (example === null || typeof example !== 'object') continue;
    // The lifted probes are cached: a branch with none for this filter needs no comparison of the value.
    const lifted = liftedBranchProbes(branch, example, path, root, scope, depth);
    if (lifted.length === 0) continue;
    valueText ??= JSON.stringify(value);
    if (branchExampleText(branch, example, scope.direction) !== valueText) out.push(...lifted);
  }
}

/** A branch example's JSON text, made once per example. */
const exampleTexts = { request: new WeakMap<object, string>(), response: new WeakMap<object, string>() };
function branchExampleText(branch: object, example: unknown, direction: WalkScope['direction']): string {
  let text = exampleTexts[direction].get(branch);
  if (text === undefined) exampleTexts[direction].set(branch, (text = JSON.stringify(example)));
  return text;
}

/**
 * The probes of a branch's example, each lifted to replace the whole value at `path`. They depend on
 * the branch, the place and the filter only, not on the request: made once, shared by every request
 * (probes and their values are only read afterwards).
 */
const liftedProbes = new WeakMap<object, Map<string, Probe[]>>();
function liftedBranchProbes(
  branch: Record<string, unknown>,
  example: unknown,
  path: Segment[],
  root: string,
  scope: WalkScope,
  depth: number,
): Probe[] {
  let byPlace = liftedProbes.get(branch);
  if (!byPlace) liftedProbes.set(branch, (byPlace = new Map()));
  const place = `${scope.key}\u0000${depth}\u0000${label(root, path)}`;
  let lifted = byPlace.get(place);
  if (!lifted) {
    const inner: Probe[] = [];
    walk(branch, example, path, root, inner, scope, depth + 1);
    lifted = inner
      // The node's own keywords are probed by the caller.
      .filter((probe) => probe.path.length !== path.length)
      .map((probe) => ({ ...probe, path, value: applyProbe(example, probe.path.slice(path.length), probe.value) }));
    byPlace.set(place, lifted);
  }
  return lifted;
}

type Add = (
  constraint: string,
  expect: Probe['expect'],
  kind: ViolationKind | undefined,
  path: Segment[],
  value: unknown,
  why: string,
) => void;

/** The probes of one node's own keywords (not of its children). */
function nodeProbes(schema: JsonSchema, value: unknown, path: Segment[], add: Add, keeps: ProbeFilter): void {
  // Each probe's value is worked out only when the caller wants that probe.
  const valid = keeps('valid', undefined);
  const view = viewOf(schema);
  if (!valid && !invalidKindsOf(schema, view).some((kind) => keeps('invalid', kind))) return;
  const confusion = typeConfusion(view);
  if (confusion && keeps('invalid', 'wrong_type')) {
    const types = JSON_TYPES.filter((type) => view.admits.has(type));
    add('type', 'invalid', 'wrong_type', path, confusion[1], `a ${confusion[0]}; expects ${types.join(' or ')}`);
  }
  if (valid && view.admits.has('null') && value !== null && view.types.length > 0)
    add('nullable', 'valid', undefined, path, null, 'null is allowed');
  const keyword = view.unionKeyword;
  if (keyword && valid) {
    view.branches.forEach((branch, index) => {
      const example = exampleFromSchema(branch, { direction: 'request' });
      add(`${keyword}[${index}]`, 'valid', undefined, path, example, `${keyword} branch ${index}`);
    });
  }
  for (const branch of alternatives(schema)) {
    // A keyword's probes (its valid ones too) where the branch offers its invalid kind and the caller wants some.
    const wants = (kind: NodeKind) => (valid || keeps('invalid', kind)) && offers(branch, kind);
    if (wants('out_of_range_number')) {
      numericProbes(branch, (constraint, expect, number, why) =>
        add(constraint, expect, expect === 'invalid' ? 'out_of_range_number' : undefined, path, number, why),
      );
    }
    const { minLength, maxLength } = branch;
    // minLength 0 has a valid probe and no invalid one.
    if (valid && minLength !== undefined && minLength <= MAX_BUILT_LENGTH)
      add('minLength', 'valid', undefined, path, stringOfLength(value, minLength), `at minLength ${minLength}`);
    if (wants('string_too_short'))
      add(
        'minLength',
        'invalid',
        'string_too_short',
        path,
        stringOfLength(value, minLength! - 1),
        `shorter than minLength ${minLength}`,
      );
    if (wants('string_too_long')) {
      add('maxLength', 'valid', undefined, path, stringOfLength(value, maxLength!), `at maxLength ${maxLength}`);
      add(
        'maxLength',
        'invalid',
        'string_too_long',
        path,
        stringOfLength(value, maxLength! + 1),
        `longer than maxLength ${maxLength}`,
      );
    }
    if (wants('bad_format')) {
      const format = branch.format!;
      add('format', 'invalid', 'bad_format', path, formatNearMiss(format, value), `a near-miss of format ${format}`);
    }
    if (wants('pattern_mismatch')) {
      const pattern = branch.pattern!;
      const mismatch = patternMiss(pattern, value, branch);
      if (mismatch !== undefined)
        add('pattern', 'invalid', 'pattern_mismatch', path, mismatch, `does not match pattern ${pattern.slice(0, 40)}`);
    }
    if (Array.isArray(value) && (wants('array_size') || wants('duplicate_items')))
      arrayProbes(branch, value, (constraint, expect, kind, items, why) =>
        add(constraint, expect, kind, path, items, why),
      );
    if (wants('outside_enum')) {
      const members = branch.members!;
      const keyword = branch.memberKeyword!;
      if (members.length <= MAX_ENUM_MEMBERS_SENT)
        for (const member of members) add(keyword, 'valid', undefined, path, member, `${keyword} member`);
      add(
        keyword,
        'invalid',
        'outside_enum',
        path,
        enumNearMiss(members),
        `a near-miss of ${keyword} ${JSON.stringify(members).slice(0, 40)}`,
      );
    }
  }
}

/** The sample of the first JSON type a node does not admit, to put in its place (none where it admits every type). */
const typeConfusion = (view: SchemaView) => TYPE_SAMPLES.find(([type]) => !view.admits.has(type as JsonType));

/** The invalid kinds a node's own keywords can give, worked out once per schema. */
const invalidKindsBySchema = new WeakMap<SchemaView, ViolationKind[]>();

/**
 * Every kind of invalid probe nodeProbes may add for a schema (a superset, as the table's
 * predicates are). A node whose kinds the caller does not want is passed over: the fuzz phase
 * walks each generated body for one kind.
 */
function invalidKindsOf(schema: JsonSchema, view: SchemaView): ViolationKind[] {
  let kinds = invalidKindsBySchema.get(view);
  if (kinds) return kinds;
  const branches = alternatives(schema);
  kinds = NODE_KINDS.filter((kind) => branches.some((branch) => offers(branch, kind)));
  if (typeConfusion(view)) kinds.push('wrong_type');
  invalidKindsBySchema.set(view, kinds);
  return kinds;
}

/** A string of an allowed length that the pattern refuses: the valid value with a character no identifier-like pattern takes, or a space. */
function patternMiss(pattern: string, valid: unknown, schema: SchemaView): string | undefined {
  let regex: RegExp;
  try {
    regex = schemaRegExp(pattern);
  } catch {
    return undefined;
  }
  const base = typeof valid === 'string' ? valid : '';
  const min = schema.minLength ?? 0;
  const max = schema.maxLength ?? Infinity;
  const candidates = [
    `${base.slice(0, -1)}!`,
    `!${base.slice(1)}`,
    ' '.repeat(Math.max(1, min)),
    '',
    '\u0000',
    `${base} `,
  ];
  return candidates.find((candidate) => candidate.length >= min && candidate.length <= max && !regex.test(candidate));
}

type AddArray = (
  constraint: string,
  expect: Probe['expect'],
  kind: ViolationKind | undefined,
  items: unknown[],
  why: string,
) => void;

/** Item counts at and past minItems/maxItems (built from the value's own first item), and a repeated item where items are unique. */
function arrayProbes(schema: SchemaView, value: unknown[], add: AddArray): void {
  const item = value.length > 0 ? value[0] : undefined;
  if (item === undefined) return;
  const ofLength = (length: number) => Array.from({ length }, () => structuredClone(item));
  const { minItems, maxItems } = schema;
  if (minItems !== undefined && minItems <= MAX_BUILT_ITEMS) {
    add('minItems', 'valid', undefined, ofLength(minItems), `at minItems ${minItems}`);
    if (minItems > 0)
      add('minItems', 'invalid', 'array_size', ofLength(minItems - 1), `fewer than minItems ${minItems}`);
  }
  if (maxItems !== undefined && maxItems < MAX_BUILT_ITEMS) {
    add('maxItems', 'valid', undefined, ofLength(maxItems), `at maxItems ${maxItems}`);
    add('maxItems', 'invalid', 'array_size', ofLength(maxItems + 1), `more than maxItems ${maxItems}`);
  }
  if (schema.uniqueItems)
    add(
      'uniqueItems',
      'invalid',
      'duplicate_items',
      [...value, structuredClone(item)],
      'an item repeated where items are unique',
    );
}

/** "x" repeated, or the valid value cut or padded, to an exact length. */
function stringOfLength(valid: unknown, length: number): string {
  const seed = typeof valid === 'string' && valid.length > 0 ? valid : 'x';
  return seed.length >= length ? seed.slice(0, length) : seed + 'x'.repeat(length - seed.length);
}

/**
 * Applies a probe to a copy of `root` (a body or a parameter value). Only the objects on the probe's
 * path are copied; the rest is shared with `root`, which nothing edits afterwards.
 */
export function applyProbe(root: unknown, path: Segment[], value: unknown): unknown {
  if (path.length === 0) return value;
  const copy = shallowCopy(root);
  let node = copy;
  for (const segment of path.slice(0, -1)) {
    const child = shallowCopy(node[segment]);
    setOwn(node, segment, child);
    node = child;
  }
  const last = path[path.length - 1];
  if (value === REMOVE) delete node[last];
  else setOwn(node, last, value);
  return copy;
}

function shallowCopy(node: unknown): Record<Segment, unknown> {
  return (Array.isArray(node) ? [...node] : { ...(node as object) }) as Record<Segment, unknown>;
}

/** Property names come from the spec: defined, never assigned, so "__proto__" stays a plain key. */
function setOwn(node: Record<Segment, unknown>, key: Segment, value: unknown): void {
  Object.defineProperty(node, key, { value, enumerable: true, writable: true, configurable: true });
}
