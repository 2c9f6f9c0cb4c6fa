/**
 * Schemas generators cannot build exactly, with their place in the spec's bundled document, where
 * the spec's validator names them. A `oneOf` without a discriminator must match exactly one branch,
 * and real-world branches overlap (OpenAI's eval template items: a `{role, content}` chat message is
 * an eval item too), so a value built from one branch may match another as well. A `not` (OpenAI's
 * image reference: `anyOf` an URL or a file id, `not` both) rules out values its siblings allow.
 * Values built for these schemas are checked against the validator.
 */
import type { Spec } from './types.js';

export interface SchemaPlace {
  spec: Spec;
  /** The schema's JSON pointer in the bundled document. */
  pointer: string;
}

const places = new WeakMap<object, SchemaPlace>();

/** Whether a bundled schema (its discriminated unions already tagged) is one generators cannot build exactly. */
export function needsCheckedGeneration(schema: Record<string, unknown>, discriminated: boolean): boolean {
  return (Array.isArray(schema.oneOf) && !discriminated) || (schema.not !== undefined && schema.not !== false);
}

/** Called at load (by the schema document's walk) with the dereferenced twin of such a schema. */
export function recordSchemaPlace(dereferencedSchema: object, place: SchemaPlace): void {
  places.set(dereferencedSchema, place);
}

export function recordedSchemaPlace(schema: object): SchemaPlace | undefined {
  return places.get(schema);
}
