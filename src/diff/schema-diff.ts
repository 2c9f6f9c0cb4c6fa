/**
 * Compares two versions of one JSON Schema (dereferenced, possibly cyclic) and reports every change
 * to what it admits, judged by the direction the data flows: a request schema may only widen, a
 * response schema may only narrow, without breaking the clients written against the old one.
 */
import type { JsonSchema } from '../openapi/types.js';
import { typesNamed } from '../openapi/schema-view.js';
import { isBreaking, type Change, type Direction, type Movement } from './change.js';

export interface SchemaSite {
  direction: Direction;
  /** Prefix of every change id here: "request-body", "request-parameter", "response-body", "response-header". */
  idPrefix: string;
  operation: string;
  /** Where the schema sits: "request body", "query parameter limit". */
  where: string;
}

type Schema = Record<string, any>;
type Report = (change: Change) => void;

export function diffSchema(
  oldSchema: JsonSchema | undefined,
  newSchema: JsonSchema | undefined,
  site: SchemaSite,
  report: Report,
): void {
  new SchemaWalk(site, report).compare(asObject(oldSchema), asObject(newSchema), []);
}

function asObject(schema: JsonSchema | undefined): Schema {
  if (schema === false) return { not: {} };
  return schema && typeof schema === 'object' ? schema : {};
}

const has = (object: unknown, key: string) => !!object && typeof object === 'object' && Object.hasOwn(object, key);

/** Upper-bound and lower-bound keywords on lengths and counts, by the id they report under. */
const COUNT_BOUNDS = [
  { keyword: 'maxLength', id: 'max-length', upper: true },
  { keyword: 'maxItems', id: 'max-items', upper: true },
  { keyword: 'maxProperties', id: 'max-properties', upper: true },
  { keyword: 'minLength', id: 'min-length', upper: false },
  { keyword: 'minItems', id: 'min-items', upper: false },
  { keyword: 'minProperties', id: 'min-properties', upper: false },
] as const;

interface Bound {
  value: number;
  exclusive: boolean;
}

class SchemaWalk {
  /** Pairs already compared: cyclic schemas (a tree of nodes) end here. */
  private readonly seen = new WeakMap<object, WeakSet<object>>();

  constructor(
    private readonly site: SchemaSite,
    private readonly report: Report,
  ) {}

  compare(oldSchema: Schema, newSchema: Schema, path: string[]): void {
    let pairs = this.seen.get(oldSchema);
    if (!pairs) this.seen.set(oldSchema, (pairs = new WeakSet()));
    if (pairs.has(newSchema)) return;
    pairs.add(newSchema);

    // Once the type itself changed, its constraints no longer compare: the type change says it all.
    if (this.compareTypes(oldSchema, newSchema, path) === 'different') return;
    this.compareNumericBound(oldSchema, newSchema, path, 'upper');
    this.compareNumericBound(oldSchema, newSchema, path, 'lower');
    for (const bound of COUNT_BOUNDS)
      this.compareCountBound(oldSchema[bound.keyword], newSchema[bound.keyword], bound.id, bound.upper, path);
    this.compareMultipleOf(oldSchema.multipleOf, newSchema.multipleOf, path);
    this.compareEnum(oldSchema, newSchema, path);
    this.compareString('pattern', oldSchema.pattern, newSchema.pattern, path);
    this.compareString('format', oldSchema.format, newSchema.format, path);
    this.compareProperties(oldSchema, newSchema, path);
    if (
      oldSchema.items &&
      newSchema.items &&
      typeof oldSchema.items === 'object' &&
      typeof newSchema.items === 'object'
    ) {
      this.compare(asObject(oldSchema.items), asObject(newSchema.items), [...path, '[]']);
    }
    this.compareBranches('oneOf', oldSchema, newSchema, path);
    this.compareBranches('anyOf', oldSchema, newSchema, path);
    this.compareBranches('allOf', oldSchema, newSchema, path);
  }

  private emit(id: string, movement: Movement | boolean, path: string[], message: string): void {
    const breaking = typeof movement === 'boolean' ? movement : isBreaking(this.site.direction, movement);
    const at = path.length > 0 ? ` ${path.join('.').replace(/\.\[\]/g, '[]')}` : '';
    this.report({
      id: `${this.site.idPrefix}-${id}`,
      breaking,
      operation: this.site.operation,
      location: `${this.site.where}${at}`,
      message,
    });
  }

  private compareTypes(oldSchema: Schema, newSchema: Schema, path: string[]): Movement | undefined {
    const oldTypes = typeSet(oldSchema);
    const newTypes = typeSet(newSchema);
    const oldNullable = oldTypes.delete('null') || oldSchema.nullable === true;
    const newNullable = newTypes.delete('null') || newSchema.nullable === true;
    if (oldNullable !== newNullable && (oldTypes.size > 0 || newTypes.size > 0)) {
      this.emit(
        newNullable ? 'became-nullable' : 'became-not-nullable',
        newNullable ? 'wider' : 'narrower',
        path,
        newNullable ? 'now admits null' : 'no longer admits null',
      );
    }
    const movement = typeMovement(oldTypes, newTypes);
    if (movement)
      this.emit(
        'type-changed',
        movement,
        path,
        `type changed from ${describeTypes(oldTypes)} to ${describeTypes(newTypes)}`,
      );
    return movement;
  }

  private compareNumericBound(oldSchema: Schema, newSchema: Schema, path: string[], side: 'upper' | 'lower'): void {
    const before = numericBound(oldSchema, side);
    const after = numericBound(newSchema, side);
    const name = side === 'upper' ? 'max' : 'min';
    const show = (b: Bound) =>
      `${b.exclusive ? (side === 'upper' ? '<' : '>') : side === 'upper' ? '≤' : '≥'} ${b.value}`;
    if (!before && !after) return;
    if (!before) {
      this.emit(`${name}-set`, 'narrower', path, `now bounded ${show(after!)}`);
      return;
    }
    if (!after) {
      this.emit(`${name}-removed`, 'wider', path, `no longer bounded ${show(before)}`);
      return;
    }
    const tighter = side === 'upper' ? after.value < before.value : after.value > before.value;
    const looser = side === 'upper' ? after.value > before.value : after.value < before.value;
    if (tighter || (!looser && after.exclusive && !before.exclusive)) {
      this.emit(
        `${name}-${side === 'upper' ? 'decreased' : 'increased'}`,
        'narrower',
        path,
        `bound moved from ${show(before)} to ${show(after)}`,
      );
    } else if (looser || (before.exclusive && !after.exclusive)) {
      this.emit(
        `${name}-${side === 'upper' ? 'increased' : 'decreased'}`,
        'wider',
        path,
        `bound moved from ${show(before)} to ${show(after)}`,
      );
    }
  }

  private compareCountBound(before: unknown, after: unknown, id: string, upper: boolean, path: string[]): void {
    const old = typeof before === 'number' ? before : undefined;
    const now = typeof after === 'number' ? after : undefined;
    if (old === now) return;
    if (old === undefined) {
      this.emit(`${id}-set`, 'narrower', path, `${id} set to ${now}`);
      return;
    }
    if (now === undefined) {
      this.emit(`${id}-removed`, 'wider', path, `${id} ${old} removed`);
      return;
    }
    const narrower = upper ? now < old : now > old;
    this.emit(
      `${id}-${now < old ? 'decreased' : 'increased'}`,
      narrower ? 'narrower' : 'wider',
      path,
      `${id} changed from ${old} to ${now}`,
    );
  }

  private compareMultipleOf(before: unknown, after: unknown, path: string[]): void {
    const old = typeof before === 'number' && before > 0 ? before : undefined;
    const now = typeof after === 'number' && after > 0 ? after : undefined;
    if (old === now) return;
    if (old === undefined) {
      this.emit('multiple-of-set', 'narrower', path, `must now be a multiple of ${now}`);
      return;
    }
    if (now === undefined) {
      this.emit('multiple-of-removed', 'wider', path, `no longer a multiple of ${old}`);
      return;
    }
    const movement: Movement = Number.isInteger(now / old)
      ? 'narrower'
      : Number.isInteger(old / now)
        ? 'wider'
        : 'different';
    this.emit('multiple-of-changed', movement, path, `multipleOf changed from ${old} to ${now}`);
  }

  private compareEnum(oldSchema: Schema, newSchema: Schema, path: string[]): void {
    const before = enumValues(oldSchema);
    const after = enumValues(newSchema);
    if (!before && !after) return;
    if (!before) {
      this.emit('enum-set', 'narrower', path, `now limited to ${[...after!.values()].join(', ')}`);
      return;
    }
    if (!after) {
      this.emit('enum-removed', 'wider', path, `no longer limited to ${[...before.values()].join(', ')}`);
      return;
    }
    const removed = [...before.keys()].filter((key) => !after.has(key)).map((key) => before.get(key));
    const added = [...after.keys()].filter((key) => !before.has(key)).map((key) => after.get(key));
    if (removed.length > 0)
      this.emit('enum-value-removed', 'narrower', path, `value(s) ${removed.join(', ')} no longer allowed`);
    if (added.length > 0) this.emit('enum-value-added', 'wider', path, `value(s) ${added.join(', ')} now allowed`);
  }

  private compareString(keyword: 'pattern' | 'format', before: unknown, after: unknown, path: string[]): void {
    const old = typeof before === 'string' ? before : undefined;
    const now = typeof after === 'string' ? after : undefined;
    if (old === now) return;
    if (old === undefined) {
      this.emit(`${keyword}-set`, 'narrower', path, `${keyword} ${now} added`);
      return;
    }
    if (now === undefined) {
      this.emit(`${keyword}-removed`, 'wider', path, `${keyword} ${old} removed`);
      return;
    }
    this.emit(`${keyword}-changed`, 'different', path, `${keyword} changed from ${old} to ${now}`);
  }

  private compareProperties(oldSchema: Schema, newSchema: Schema, path: string[]): void {
    const oldProperties: Schema =
      oldSchema.properties && typeof oldSchema.properties === 'object' ? oldSchema.properties : {};
    const newProperties: Schema =
      newSchema.properties && typeof newSchema.properties === 'object' ? newSchema.properties : {};
    const oldRequired = new Set<string>(Array.isArray(oldSchema.required) ? oldSchema.required : []);
    const newRequired = new Set<string>(Array.isArray(newSchema.required) ? newSchema.required : []);
    const names = new Set([
      ...Object.keys(oldProperties),
      ...Object.keys(newProperties),
      ...oldRequired,
      ...newRequired,
    ]);
    const request = this.site.direction === 'request';
    for (const name of names) {
      const before = has(oldProperties, name) ? asObject(oldProperties[name]) : undefined;
      const after = has(newProperties, name) ? asObject(newProperties[name]) : undefined;
      // A readOnly property never travels in a request, a writeOnly one never in a response.
      const hidden = request
        ? before?.readOnly === true || after?.readOnly === true
        : before?.writeOnly === true || after?.writeOnly === true;
      if (hidden) continue;
      const at = [...path, name];
      const wasRequired = oldRequired.has(name);
      const isRequired = newRequired.has(name);
      if (before && !after && (has(oldProperties, name) || wasRequired)) {
        if (request) {
          const rejected = newSchema.additionalProperties === false;
          this.emit(
            'property-removed',
            rejected,
            at,
            rejected
              ? 'removed, and unknown properties are refused: clients still sending it are rejected'
              : 'removed (clients still sending it are ignored)',
          );
        } else {
          this.emit(
            'property-removed',
            wasRequired,
            at,
            wasRequired ? 'removed, though clients could count on it' : 'optional property removed',
          );
        }
        continue;
      }
      if (!before && after) {
        if (isRequired)
          this.emit(
            'new-required-property',
            request,
            at,
            request ? 'new required property: clients that do not send it are rejected' : 'new required property',
          );
        else this.emit('property-added', false, at, 'new optional property');
        continue;
      }
      if (wasRequired !== isRequired) {
        if (isRequired) this.emit('property-became-required', request, at, 'became required');
        else
          this.emit(
            'property-became-optional',
            !request,
            at,
            request ? 'became optional' : 'became optional: clients counting on it may not get it',
          );
      }
      if (before && after) this.compare(before, after, at);
    }
    this.compareAdditionalProperties(oldSchema.additionalProperties, newSchema.additionalProperties, path);
  }

  private compareAdditionalProperties(before: unknown, after: unknown, path: string[]): void {
    const closedBefore = before === false;
    const closedAfter = after === false;
    if (closedBefore !== closedAfter) {
      this.emit(
        closedAfter ? 'additional-properties-refused' : 'additional-properties-allowed',
        closedAfter ? 'narrower' : 'wider',
        path,
        closedAfter ? 'unknown properties are now refused' : 'unknown properties are now allowed',
      );
    } else if (before && after && typeof before === 'object' && typeof after === 'object') {
      this.compare(before as Schema, after as Schema, [...path, '*']);
    }
  }

  private compareBranches(
    keyword: 'oneOf' | 'anyOf' | 'allOf',
    oldSchema: Schema,
    newSchema: Schema,
    path: string[],
  ): void {
    const before: unknown[] = Array.isArray(oldSchema[keyword]) ? oldSchema[keyword] : [];
    const after: unknown[] = Array.isArray(newSchema[keyword]) ? newSchema[keyword] : [];
    for (let i = 0; i < Math.min(before.length, after.length); i++)
      this.compare(asObject(before[i] as JsonSchema), asObject(after[i] as JsonSchema), [...path, `${keyword}[${i}]`]);
    if (before.length === after.length) return;
    // More alternatives admit more; more allOf conjuncts admit less.
    const grew = after.length > before.length;
    const movement: Movement = keyword === 'allOf' ? (grew ? 'narrower' : 'wider') : grew ? 'wider' : 'narrower';
    this.emit(
      `${keyword.toLowerCase()}-${grew ? 'branch-added' : 'branch-removed'}`,
      movement,
      path,
      `${keyword} went from ${before.length} to ${after.length} schema(s)`,
    );
  }
}

function typeSet(schema: Schema): Set<string> {
  return new Set(typesNamed(schema));
}

/** integer is a subset of number; otherwise types are disjoint. */
function covers(types: Set<string>, type: string): boolean {
  return types.has(type) || (type === 'integer' && types.has('number'));
}

function typeMovement(before: Set<string>, after: Set<string>): Movement | undefined {
  if (before.size === 0 && after.size === 0) return undefined;
  // No declared type admits any value.
  if (before.size === 0) return 'narrower';
  if (after.size === 0) return 'wider';
  const afterWithin = [...after].every((t) => covers(before, t));
  const beforeWithin = [...before].every((t) => covers(after, t));
  if (afterWithin && beforeWithin) return undefined;
  if (afterWithin) return 'narrower';
  if (beforeWithin) return 'wider';
  return 'different';
}

const describeTypes = (types: Set<string>) => (types.size === 0 ? 'any' : [...types].join('|'));

/** The effective bound on one side, from 3.1's numeric exclusive keywords or 3.0's boolean ones. */
function numericBound(schema: Schema, side: 'upper' | 'lower'): Bound | undefined {
  const inclusive = schema[side === 'upper' ? 'maximum' : 'minimum'];
  const exclusive = schema[side === 'upper' ? 'exclusiveMaximum' : 'exclusiveMinimum'];
  const candidates: Bound[] = [];
  if (typeof inclusive === 'number') candidates.push({ value: inclusive, exclusive: exclusive === true });
  if (typeof exclusive === 'number') candidates.push({ value: exclusive, exclusive: true });
  if (candidates.length === 0) return undefined;
  return candidates.reduce((a, b) => {
    if (a.value === b.value) return a.exclusive ? a : b;
    return (side === 'upper' ? b.value < a.value : b.value > a.value) ? b : a;
  });
}

/** Allowed values keyed by their JSON text, from enum or const. */
function enumValues(schema: Schema): Map<string, string> | undefined {
  const values: unknown[] | undefined = Array.isArray(schema.enum)
    ? schema.enum
    : has(schema, 'const')
      ? [schema.const]
      : undefined;
  if (!values) return undefined;
  return new Map(values.map((value) => [JSON.stringify(value), JSON.stringify(value)]));
}
