/**
 * OpenAPI's `discriminator`: of a `oneOf`/`anyOf`, the branch a value takes is named by one of its
 * properties, through `mapping` or, without one, by the branch schema's own name. Real-world specs
 * (OpenAI's) leave `mapping` out while each branch pins the property itself (`type: {enum: [message]}`):
 * the implicit name would then contradict the branch and match no value, so the branch's own
 * values are its tags. ajv has no
 * OpenAPI mapping, so the validators get each branch with its tag values required; generators and
 * examples set the tag of the branch they build.
 */
import { isPlainObject } from './json-value.js';

export interface BranchTags {
  propertyName: string;
  /** Per branch, in order: the tag values that select it. */
  tags: string[][];
}

/** Resolves a `$ref` of the bundled document to the schema it names, or undefined. */
export type RefResolver = (ref: string) => unknown;

/**
 * The tags of a bundled (`$ref`-intact) union schema with a discriminator, or undefined. `resolve`
 * reads the branches' own values of the property, for branches `mapping` does not name.
 */
export function branchTagsOf(schema: Record<string, unknown>, resolve?: RefResolver): BranchTags | undefined {
  const discriminator = schema.discriminator;
  const branches = (schema.oneOf ?? schema.anyOf) as unknown;
  if (!isPlainObject(discriminator) || typeof discriminator.propertyName !== 'string' || !Array.isArray(branches))
    return undefined;
  const mapping = isPlainObject(discriminator.mapping) ? (discriminator.mapping as Record<string, unknown>) : {};
  const tags = branches.map((branch) => {
    const ref = isPlainObject(branch) && typeof branch.$ref === 'string' ? branch.$ref : undefined;
    if (ref === undefined) return [];
    const name = decodeURIComponent(ref.slice(ref.lastIndexOf('/') + 1));
    const mapped = Object.entries(mapping)
      .filter(([, target]) => target === ref || target === name)
      .map(([tag]) => tag);
    if (mapped.length > 0) return mapped;
    const pinned = resolve ? pinnedValues(resolve(ref), discriminator.propertyName as string, resolve) : undefined;
    return pinned && !pinned.includes(name) ? pinned : [name];
  });
  return tags.every((list) => list.length > 0) ? { propertyName: discriminator.propertyName, tags } : undefined;
}

/** Most `allOf` levels (and `$ref` hops) read for a branch's own values of the tag property. */
const MAX_PIN_DEPTH = 4;

/**
 * The string values a branch allows for `property` (its `const` or `enum`, in its own properties or
 * an `allOf` part's), or undefined when it leaves the property open.
 */
function pinnedValues(branch: unknown, property: string, resolve: RefResolver, depth = 0): string[] | undefined {
  if (!isPlainObject(branch) || depth > MAX_PIN_DEPTH) return undefined;
  if (typeof branch.$ref === 'string') return pinnedValues(resolve(branch.$ref), property, resolve, depth + 1);
  // A branch that is itself a union is pinned when each of its own branches is.
  const union = branch.oneOf ?? branch.anyOf;
  if (Array.isArray(union)) {
    const each = union.map((inner) => pinnedValues(inner, property, resolve, depth + 1));
    return each.every((values) => values !== undefined) ? [...new Set(each.flat())] : undefined;
  }
  const properties = branch.properties;
  const own = isPlainObject(properties) && Object.hasOwn(properties, property) ? properties[property] : undefined;
  const values = stringValues(isPlainObject(own) && typeof own.$ref === 'string' ? resolve(own.$ref) : own);
  if (values) return values;
  if (!Array.isArray(branch.allOf)) return undefined;
  for (const part of branch.allOf) {
    const found = pinnedValues(part, property, resolve, depth + 1);
    if (found) return found;
  }
  return undefined;
}

/** The strings a property schema allows when it lists them all (`const`, `enum`, or a union of those and null). */
function stringValues(schema: unknown): string[] | undefined {
  if (!isPlainObject(schema)) return undefined;
  const union = schema.anyOf ?? schema.oneOf;
  if (Array.isArray(union)) {
    const each = union.filter((inner) => !isNullType(inner)).map(stringValues);
    return each.length > 0 && each.every((values) => values !== undefined) ? each.flat() : undefined;
  }
  if (typeof schema.const === 'string') return [schema.const];
  const values = schema.enum;
  return Array.isArray(values) && values.length > 0 && values.every((value) => typeof value === 'string')
    ? (values as string[])
    : undefined;
}

function isNullType(schema: unknown): boolean {
  return isPlainObject(schema) && schema.type === 'null';
}

/**
 * `value` carrying one of its branch's `tags`: a tag it already has is kept (a branch that is itself
 * a union built the tag of its own inner branch), else `tag` is set.
 */
export function withTagValue(
  value: Record<string, unknown>,
  propertyName: string,
  tags: readonly string[],
  tag: string,
): Record<string, unknown> {
  const own = Object.hasOwn(value, propertyName) ? value[propertyName] : undefined;
  return typeof own === 'string' && tags.includes(own) ? value : { ...value, [propertyName]: tag };
}

/**
 * The union rewritten for the validators: each branch wrapped so that it also requires its tag,
 * so a value is checked against the branches its tag names only. Where each tag names one branch,
 * exactly one can match. Two branches may pin the same value (OpenAI's `InputItem`: an easy input
 * message and an input message are both `type: message`); the tag then names both, and a value
 * either of them holds is valid: a `oneOf` becomes an `anyOf`, where distinct tags still exclude
 * each other.
 */
export function withTagsRequired(schema: Record<string, unknown>, found: BranchTags): void {
  const keyword = schema.oneOf ? 'oneOf' : 'anyOf';
  const branches = (schema[keyword] as Record<string, unknown>[]).map((branch, index) => ({
    allOf: [
      branch,
      {
        type: 'object',
        required: [found.propertyName],
        properties: { [found.propertyName]: { enum: found.tags[index] } },
      },
    ],
  }));
  if (keyword === 'anyOf' || !sharesTag(found)) {
    schema[keyword] = branches;
    return;
  }
  delete schema.oneOf;
  if (schema.anyOf === undefined) schema.anyOf = branches;
  else schema.allOf = [...(Array.isArray(schema.allOf) ? schema.allOf : []), { anyOf: branches }];
}

/** True when some tag value selects more than one branch. */
export function sharesTag(found: BranchTags): boolean {
  const seen = new Set<string>();
  for (const tags of found.tags) {
    for (const tag of new Set(tags)) {
      if (seen.has(tag)) return true;
      seen.add(tag);
    }
  }
  return false;
}

const dereferencedTags = new WeakMap<object, BranchTags>();

/** Called at load (by the schema document's walk): the same union in the dereferenced document gets the tags read from the bundled one. */
export function recordBranchTags(dereferencedSchema: object, tags: BranchTags): void {
  dereferencedTags.set(dereferencedSchema, tags);
}

/** The tags of a dereferenced union schema, for generators and examples. */
export function recordedBranchTags(schema: object): BranchTags | undefined {
  return dereferencedTags.get(schema);
}
