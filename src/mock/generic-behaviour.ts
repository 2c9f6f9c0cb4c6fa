/**
 * Behaviour for operations with no hand-written semantics: CRUD inferred from the spec.
 * A POST on a collection that documents a 201 (or answers with the item's schema) stores;
 * GET/PUT/PATCH/DELETE on `collection/{id}` act on what was stored; GET on a collection lists.
 * Anything else (a search, an action) answers from the spec's examples or schema.
 */
import { applyDefaults } from '../openapi/defaults.js';
import { isPlainObject } from '../openapi/json-value.js';
import { documentedSuccessStatuses } from '../openapi/responses.js';
import { apiError } from './api-error.js';
import type { Behaviour, Outcome, RequestContext } from './behaviour.js';
import { documentsLocation } from './documented-headers.js';
import { crudShapeOf, newKey, type CrudShape } from './crud-shape.js';

interface Target {
  /** The concrete collection path, e.g. /owners/7/pets: nested collections are kept apart. */
  collection: string;
  /** The item id when the path ends in a parameter. */
  id: string | undefined;
  idName: string | undefined;
}

function targetOf(context: RequestContext, concretePath: string): Target {
  const template = context.operation.path.replace(/\/$/, '');
  const trailing = /\/\{([^}]+)\}$/.exec(template);
  const concrete = concretePath.replace(/\/$/, '');
  if (!trailing) return { collection: concrete, id: undefined, idName: undefined };
  const cut = concrete.lastIndexOf('/');
  return { collection: concrete.slice(0, cut), id: String(context.params.path[trailing[1]]), idName: trailing[1] };
}

/** The first of `preferred` the operation documents, else its lowest documented 2xx. */
function successStatus(context: RequestContext, preferred: number[]): number {
  const documented = documentedSuccessStatuses(context.operation);
  return preferred.find((s) => documented.includes(s)) ?? documented[0] ?? preferred[0];
}

function notFound(target: Target): Outcome {
  return {
    error: apiError(404, 'NOT_FOUND', `No resource with ${target.idName ?? 'id'} ${target.id} at ${target.collection}`),
  };
}

/**
 * Merges what the client sent (with its schema's defaults, less its writeOnly fields) over the spec's
 * answer, so created resources echo their input; the key goes in the field that holds it. A field
 * the answer schema refuses (a request admitting more than the answer) takes a schema-built value.
 */
function shapeRecord(
  context: RequestContext,
  status: number,
  input: unknown,
  shape: CrudShape,
  key: string | number,
): Record<string, unknown> {
  const template = context.specResponse(status);
  const schema = context.operation.requestBody?.content[0]?.schema;
  const withDefaults = applyDefaults(schema, input);
  const record: Record<string, unknown> = { ...(isPlainObject(template) ? template : {}) };
  if (isPlainObject(withDefaults)) {
    for (const [name, value] of Object.entries(withDefaults)) if (!isWriteOnly(schema, name)) record[name] = value;
  }
  record[shape.keyField] = key;
  return context.fitAnswer(status, record) as Record<string, unknown>;
}

function isWriteOnly(schema: unknown, property: string): boolean {
  const properties = isPlainObject(schema) && isPlainObject(schema.properties) ? schema.properties : undefined;
  const declared = properties && Object.hasOwn(properties, property) ? properties[property] : undefined;
  return isPlainObject(declared) && declared.writeOnly === true;
}

/** The key a client sent in the record's key field (kept as sent), if any; a readOnly key is the server's to choose. */
function sentKey(body: unknown, shape: CrudShape): string | number | undefined {
  if (isPlainObject(shape.keySchema) && shape.keySchema.readOnly === true) return undefined;
  const value = isPlainObject(body) ? body[shape.keyField] : undefined;
  return typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value)) ? value : undefined;
}

/** A path's key read back in the type the record holds it in (integer ids stay numbers). */
function typedKey(shape: CrudShape, id: string): string | number {
  const schema = shape.keySchema;
  const numeric = isPlainObject(schema) && (schema.type === 'integer' || schema.type === 'number');
  return numeric && id.trim() !== '' && Number.isFinite(Number(id)) ? Number(id) : id;
}

export function genericBehaviour(concretePath: string): Behaviour {
  return (context) => {
    const documentsSuccess = documentedSuccessStatuses(context.operation).length > 0;
    if (!documentsSuccess) return onlyDocumentedAnswer(context);
    const target = targetOf(context, concretePath);
    const method = context.operation.method;
    const shape = crudShapeOf(context.operation);
    const { state } = context;
    if (target.id === undefined) {
      if (method === 'post' && shape.creates) {
        const status = successStatus(context, [201, 200]);
        const key =
          sentKey(context.body, shape) ??
          newKey(shape, context.ids, (candidate) => state.get(target.collection, candidate) !== undefined);
        const record = shapeRecord(context, status, context.body, shape, key);
        state.put(target.collection, String(key), record);
        const location = documentsLocation(context.operation, status)
          ? { Location: `${target.collection}/${encodeURIComponent(String(key))}` }
          : undefined;
        return { status, body: record, ...(location ? { headers: location } : {}) };
      }
      if (method === 'get') {
        const status = successStatus(context, [200]);
        return {
          status,
          body: context.fitAnswer(status, listBody(context.specResponse(status), state.list(target.collection))),
        };
      }
    } else {
      const existing = state.get(target.collection, target.id);
      switch (method) {
        case 'get': {
          if (!existing) return notFound(target);
          const status = successStatus(context, [200]);
          return { status, body: context.fitAnswer(status, existing) };
        }
        case 'put': {
          const status = successStatus(context, existing ? [200, 204] : [201, 200]);
          const record = shapeRecord(context, status, context.body, shape, typedKey(shape, target.id));
          state.put(target.collection, target.id, record);
          return { status, body: status === 204 ? undefined : record };
        }
        case 'patch': {
          if (!existing) return notFound(target);
          const status = successStatus(context, [200]);
          const record = context.fitAnswer(status, {
            ...existing,
            ...(isPlainObject(context.body) ? context.body : {}),
            [shape.keyField]: existing[shape.keyField] ?? typedKey(shape, target.id),
          }) as Record<string, unknown>;
          state.put(target.collection, target.id, record);
          return { status, body: record };
        }
        case 'delete': {
          if (!state.delete(target.collection, target.id)) return notFound(target);
          const status = successStatus(context, [204, 200]);
          return { status, body: status === 204 ? undefined : context.fitAnswer(status, existing) };
        }
      }
    }
    const status = successStatus(context, [200, 201]);
    return { status, body: context.specResponse(status) };
  };
}

/**
 * An operation that documents no 2xx (only a 401, say) answers what it documents rather than an
 * invented success: its first numeric status, else 200 with the `default` answer's body.
 */
function onlyDocumentedAnswer(context: RequestContext): Outcome {
  const numeric = context.operation.responses.map((r) => Number(r.status)).find((status) => Number.isInteger(status));
  const status = numeric ?? 200;
  const body = numeric === undefined ? context.specResponse(500) : context.specResponse(status);
  return { status, body };
}

/**
 * A list answer: a bare array, or the spec's envelope with its first array property filled.
 * A GET whose documented answer is no list (e.g. GET /status) gets the spec's answer as is.
 */
function listBody(template: unknown, records: Record<string, unknown>[]): unknown {
  if (Array.isArray(template) || template === undefined) return records;
  if (!isPlainObject(template)) return template;
  const arrayField = Object.keys(template).find((key) => Array.isArray(template[key]));
  return arrayField ? { ...template, [arrayField]: records } : template;
}
