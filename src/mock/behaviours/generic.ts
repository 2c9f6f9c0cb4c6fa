/**
 * Behaviour for operations with no hand-written semantics: CRUD inferred from the path shape.
 * POST on a collection stores; GET/PUT/PATCH/DELETE on `collection/{id}` act on what was stored;
 * GET on a collection lists. Anything else answers from the spec's examples or schema.
 */
import { applyDefaults } from '../../spec/defaults.js';
import { isPlainObject } from '../../spec/json-value.js';
import { documentedSuccessStatuses } from '../../spec/responses.js';
import { apiError } from '../api-error.js';
import type { Behaviour, Outcome, RequestContext } from '../behaviour.js';

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
  return { error: apiError(404, 'NOT_FOUND', `No resource with ${target.idName ?? 'id'} ${target.id} at ${target.collection}`) };
}

/** Merges what the client sent (with its schema's defaults) over the spec's answer, so created resources echo their input. */
function shapeRecord(context: RequestContext, status: number, input: unknown, id: string): Record<string, unknown> {
  const template = context.specResponse(status);
  const withDefaults = applyDefaults(context.operation.requestBody?.content[0]?.schema, input);
  return { ...(isPlainObject(template) ? template : {}), ...(isPlainObject(withDefaults) ? withDefaults : {}), id };
}

export function genericBehaviour(concretePath: string): Behaviour {
  return (context) => {
    const target = targetOf(context, concretePath);
    const method = context.operation.method;
    const { state } = context;
    if (target.id === undefined) {
      if (method === 'post') {
        const status = successStatus(context, [201, 200]);
        const id = isPlainObject(context.body) && typeof context.body.id === 'string' ? context.body.id : context.ids.uuid();
        const record = shapeRecord(context, status, context.body, id);
        state.put(target.collection, id, record);
        return { status, body: record };
      }
      if (method === 'get') {
        const status = successStatus(context, [200]);
        return { status, body: listBody(context.specResponse(status), state.list(target.collection)) };
      }
    } else {
      const existing = state.get(target.collection, target.id);
      switch (method) {
        case 'get':
          return existing ? { status: successStatus(context, [200]), body: existing } : notFound(target);
        case 'put': {
          const status = successStatus(context, existing ? [200, 204] : [201, 200]);
          const record = shapeRecord(context, status, context.body, target.id);
          state.put(target.collection, target.id, record);
          return { status, body: status === 204 ? undefined : record };
        }
        case 'patch': {
          if (!existing) return notFound(target);
          const record = { ...existing, ...(isPlainObject(context.body) ? context.body : {}), id: target.id };
          state.put(target.collection, target.id, record);
          return { status: successStatus(context, [200]), body: record };
        }
        case 'delete': {
          if (!state.delete(target.collection, target.id)) return notFound(target);
          const status = successStatus(context, [204, 200]);
          return { status, body: status === 204 ? undefined : existing };
        }
      }
    }
    const status = successStatus(context, [200, 201]);
    return { status, body: context.specResponse(status) };
  };
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
