/**
 * Recognising an API by its content: an operation at the API's path whose request body declares the
 * API's own fields. A user's spec that merely has a `POST /sessions` is not Julep, and gets generic
 * behaviour and generic tests.
 */
import type { Operation, Spec } from '../openapi/types.js';

export interface Fingerprint {
  /** "METHOD /path" of an operation the API always has. */
  operation: string;
  /** Request body properties that operation declares. */
  properties: readonly string[];
}

/** A `matches` for an API module: true for a spec that declares every fingerprint (worked out once per spec). */
export function recognisedBy(fingerprints: readonly Fingerprint[]): (spec: Spec) => boolean {
  const recognised = new WeakMap<Spec, boolean>();
  return (spec) => {
    let matches = recognised.get(spec);
    if (matches === undefined) recognised.set(spec, (matches = fingerprints.every((f) => declares(spec, f))));
    return matches;
  };
}

function declares(spec: Spec, fingerprint: Fingerprint): boolean {
  const operation = spec.operations.find((op) => `${op.method.toUpperCase()} ${op.path}` === fingerprint.operation);
  const properties = operation && requestProperties(operation);
  return properties !== undefined && fingerprint.properties.every((name) => properties.has(name));
}

function requestProperties(operation: Operation): Set<string> | undefined {
  const schema = operation.requestBody?.content.find((media) => /json/i.test(media.mediaType))?.schema;
  if (!schema || typeof schema !== 'object' || !schema.properties || typeof schema.properties !== 'object')
    return undefined;
  return new Set(Object.keys(schema.properties));
}
