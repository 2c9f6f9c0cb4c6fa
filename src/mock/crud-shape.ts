/**
 * How the generic behaviour reads an operation as CRUD, worked out once per operation: whether a
 * POST creates, which path parameter names an item, and which field of a record holds its key.
 */
import fc from 'fast-check';
import { schemaArbitrary } from '../openapi/arbitrary.js';
import {
  createsResource,
  itemOperationOf,
  keyFieldOf,
  successSchema,
  trailingParameter,
} from '../openapi/collection.js';
import { viewOf } from '../openapi/schema-view.js';
import type { JsonSchema, Operation } from '../openapi/types.js';
import type { IdSource } from './ids.js';

export interface CrudShape {
  /** A POST on a collection that makes a resource: it documents a 201, or answers with the item's schema. */
  creates: boolean;
  /** The field of a record that holds its key: the item path parameter's name when records carry it (`username`), else `id`. */
  keyField: string;
  /** The schema of that field, from the answer (or the item path parameter), to generate keys that fit it. */
  keySchema: JsonSchema | undefined;
}

const shapes = new WeakMap<Operation, CrudShape>();

export function crudShapeOf(operation: Operation): CrudShape {
  let shape = shapes.get(operation);
  if (!shape) shapes.set(operation, (shape = readShape(operation)));
  return shape;
}

function readShape(operation: Operation): CrudShape {
  const template = operation.path.replace(/\/$/, '');
  const trailing = trailingParameter(template);
  const item = trailing ? { operation, name: trailing } : itemOperationOf(operation, template);
  const answer = successSchema(operation) ?? (item && successSchema(item.operation));
  const properties = viewOf(answer).properties;
  const keyField = keyFieldOf(properties, item?.name) ?? 'id';
  const keySchema =
    properties.get(keyField) ?? item?.operation.parameters.find((p) => p.in === 'path' && p.name === item.name)?.schema;
  return { creates: createsResource(operation), keyField, keySchema };
}

/** A new key that fits the key's schema: counted integers, UUIDs for plain strings, a schema-built value for patterned ones. */
export function newKey(shape: CrudShape, ids: IdSource, taken: (key: string) => boolean): string | number {
  const schema = typeof shape.keySchema === 'object' ? shape.keySchema : {};
  const view = viewOf(schema);
  if (view.types.includes('integer') || view.types.includes('number')) {
    let key = ids.sequence();
    while (taken(String(key))) key = ids.sequence();
    return key;
  }
  const constrained =
    view.pattern !== undefined || (view.format !== undefined && view.format !== 'uuid') || view.members !== undefined;
  if (constrained) {
    const arbitrary = schemaArbitrary(schema, { direction: 'response' });
    for (let attempt = 0; attempt < 8; attempt++) {
      const seed = Number.parseInt(ids.uuid().slice(0, 8), 16);
      const [value] = fc.sample(arbitrary, { numRuns: 1, seed });
      // An empty key could not be named in the item's path.
      if ((typeof value === 'string' || typeof value === 'number') && value !== '' && !taken(String(value)))
        return value;
    }
  }
  return ids.uuid();
}
