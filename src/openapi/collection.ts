/**
 * The one reading of a spec's collections that the mock (what a POST stores) and the harness (which
 * POSTs the CRUD properties test) share: a POST on a collection creates when it documents a 201 or
 * answers with the schema its item's GET answers with (itself, or extended through `allOf`).
 */
import { isPlainObject } from './json-value.js';
import { documentedSuccessStatuses } from './responses.js';
import { viewOf } from './schema-view.js';
import type { JsonSchema, Operation } from './types.js';

/** The path parameter that names one item of `operation`'s path (`/pets/{petId}`), if the path ends in one. */
export function trailingParameter(path: string): string | undefined {
  return /\/\{([^}]+)\}$/.exec(path.replace(/\/$/, ''))?.[1];
}

/** An operation on `template/{name}` in the same spec: the item this collection holds. */
export function itemOperationOf(
  operation: Operation,
  template: string,
): { operation: Operation; name: string } | undefined {
  for (const candidate of operation.spec.operations) {
    const found = /^(.*)\/\{([^}]+)\}$/.exec(candidate.path.replace(/\/$/, ''));
    if (found && found[1] === template) return { operation: candidate, name: found[2] };
  }
  return undefined;
}

/** The JSON schema of the operation's lowest documented 2xx answer (shared objects: the same $ref is the same schema). */
export function successSchema(operation: Operation): JsonSchema | undefined {
  for (const status of documentedSuccessStatuses(operation)) {
    const response = operation.responses.find((r) => r.status === String(status));
    const media = response?.content.find((m) => /json/i.test(m.mediaType));
    if (media?.schema !== undefined) return media.schema;
  }
  return undefined;
}

/** True when `operation` is a POST on a collection that makes a resource of it. */
export function createsResource(operation: Operation): boolean {
  if (operation.method !== 'post' || trailingParameter(operation.path) !== undefined) return false;
  if (documentedSuccessStatuses(operation).includes(201)) return true;
  const template = operation.path.replace(/\/$/, '');
  const item = itemOperationOf(operation, template);
  const itemGet =
    item &&
    operation.spec.operations.find(
      (op) => op.method === 'get' && op.path.replace(/\/$/, '') === item.operation.path.replace(/\/$/, ''),
    );
  const answer = successSchema(operation);
  const itemSchema = itemGet && successSchema(itemGet);
  return answer !== undefined && itemSchema !== undefined && extendsSchema(answer, itemSchema);
}

/** `schema` is `base`, or an `allOf` with `base` among its parts (a create answer that adds the one-time secret). */
function extendsSchema(schema: JsonSchema, base: JsonSchema): boolean {
  return schema === base || (isPlainObject(schema) && Array.isArray(schema.allOf) && schema.allOf.includes(base));
}

/**
 * The field of a created record that holds its key: the item path parameter's name, else `id`, of
 * those the answer's properties have as a scalar. DigitalOcean answers `POST /reserved_ipv6` with
 * `{reserved_ipv6: {ip, ...}}` for `/reserved_ipv6/{reserved_ipv6}`: that field is an envelope, not a key.
 */
export function keyFieldOf(
  properties: ReadonlyMap<string, JsonSchema>,
  itemParameter: string | undefined,
): string | undefined {
  return [itemParameter, 'id'].find((name) => {
    if (name === undefined || !properties.has(name)) return false;
    const { types } = viewOf(properties.get(name));
    return !types.includes('object') && !types.includes('array');
  });
}
