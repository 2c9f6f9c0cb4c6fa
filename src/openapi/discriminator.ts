/**
 * OpenAPI's `discriminator`: of a `oneOf`/`anyOf`, the branch a value takes is named by one of its
 * properties, through `mapping` or, without one, by the branch schema's own name. ajv has no
 * OpenAPI mapping, so the validators get each branch with its tag values required; generators and
 * examples set the tag of the branch they build.
 */
import { isPlainObject } from './json-value.js';

export interface BranchTags {
  propertyName: string;
  /** Per branch, in order: the tag values that select it. */
  tags: string[][];
}

/** The tags of a bundled (`$ref`-intact) union schema with a discriminator, or undefined. */
export function branchTagsOf(schema: Record<string, unknown>): BranchTags | undefined {
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
    return mapped.length > 0 ? mapped : [name];
  });
  return tags.every((list) => list.length > 0) ? { propertyName: discriminator.propertyName, tags } : undefined;
}

/** Each branch of a bundled union, wrapped so that it also requires its tag: exactly one branch then matches. */
export function taggedBranches(schema: Record<string, unknown>, found: BranchTags): Record<string, unknown>[] {
  const branches = (schema.oneOf ?? schema.anyOf) as Record<string, unknown>[];
  return branches.map((branch, index) => ({
    allOf: [
      branch,
      {
        type: 'object',
        required: [found.propertyName],
        properties: { [found.propertyName]: { enum: found.tags[index] } },
      },
    ],
  }));
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
