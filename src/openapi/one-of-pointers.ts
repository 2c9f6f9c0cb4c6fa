/**
 * Where each `oneOf` without a discriminator of a spec's dereferenced document sits in its bundled
 * one. A value must match exactly one branch of such a union, and real-world branches overlap
 * (OpenAI's eval template items: a `{role, content}` chat message is an eval item too), so a value
 * built from one branch may match another as well and be invalid. Generators check what they build
 * for such a union against the spec's validator, which names schemas by these pointers.
 */
import type { Spec } from './types.js';

export interface OneOfPlace {
  spec: Spec;
  /** The union's JSON pointer in the bundled document. */
  pointer: string;
}

const places = new WeakMap<object, OneOfPlace>();

/** Called at load (by the schema document's walk) for each undiscriminated `oneOf` with a twin in the dereferenced document. */
export function recordOneOfPlace(dereferencedSchema: object, place: OneOfPlace): void {
  places.set(dereferencedSchema, place);
}

export function recordedOneOfPlace(schema: object): OneOfPlace | undefined {
  return places.get(schema);
}
