/**
 * Stateful properties for any spec, with no hand-written contract: collections are found from the
 * paths (POST /things answering an id, GET and DELETE /things/{id}) and each is checked for what
 * every REST API owes its clients — a created resource can be fetched, is gone after a DELETE, has
 * an id of its own, echoes what was sent (with documented defaults), answers a repeated create with
 * a documented status, and is invisible to another tenant.
 */
import { createsResource, keyFieldOf } from '../openapi/collection.js';
import { applyDefaults } from '../openapi/defaults.js';
import { documentedSuccessStatuses, isDocumented } from '../openapi/responses.js';
import { isPlainObject } from '../openapi/json-value.js';
import type { JsonSchema, Operation, Spec } from '../openapi/types.js';
import {
  fail,
  jsonOf,
  operationKey,
  statusOf,
  type ApiContract,
  type ContractSession,
  type Sequence,
  type SequenceOutcome,
} from './api-contract.js';
import { answerAdmits, echoMismatch, expectAnswer, objectShape } from './properties.js';
import { jsonBodyOf, validRequestArbitrary } from './requests.js';
import type { ContractRequest, Exchange } from './types.js';

/** A collection: its create, and the read and delete of one item where the spec has them. */
export interface Collection {
  create: Operation;
  read: Operation | undefined;
  remove: Operation | undefined;
  /** The item path's last parameter, e.g. "petId" in /pets/{petId}. */
  itemParameter: string;
  /** The field of a created resource that holds its id. */
  idField: string;
  /** The 2xx the create documents (201 where it documents one). */
  createdStatus: number;
}

export const GENERIC_SEQUENCE_NAMES = [
  'crud.ensure_resource_availability',
  'crud.use_after_free',
  'crud.unique_ids',
  'crud.echo',
  'crud.repeated_create',
  'crud.tenant_isolation',
] as const;

/** Collections in a spec: a POST on a path whose `{param}` child has a GET or DELETE, answering an object with an id. */
export function collectionsOf(spec: Spec): Collection[] {
  const collections: Collection[] = [];
  for (const create of spec.operations.filter((op) => op.method === 'post' && !/\}\/?$/.test(op.path))) {
    const base = create.path.replace(/\/$/, '');
    const items = spec.operations.filter((op) => new RegExp(`^${escapeRegExp(base)}/\\{[^}/]+\\}/?$`).test(op.path));
    const read = items.find((op) => op.method === 'get');
    const remove = items.find((op) => op.method === 'delete');
    // Read as the mock reads it: a POST that neither documents a 201 nor answers with its item's
    // schema is an action (search, send), not a create.
    if (!createsResource(create) || !jsonBodyOf(create)) continue;
    const createdStatus =
      documentedSuccessStatuses(create).find((status) => status === 201) ?? documentedSuccessStatuses(create)[0];
    const itemParameter = /\{([^}]+)\}\/?$/.exec((read ?? remove)?.path ?? `${base}/{id}`)![1];
    const { properties } = objectShape(createdSchema(create, createdStatus));
    const idField = keyFieldOf(properties, itemParameter);
    if (idField === undefined) continue;
    collections.push({ create, read, remove, itemParameter, idField, createdStatus });
  }
  return collections;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The generic contract of a spec (its sequences run where no hand-written contract fits). */
export function genericContract(spec: Spec): ApiContract {
  const sequences = collectionsOf(spec).flatMap((collection) => sequencesFor(collection));
  return { name: `${spec.name} (generic)`, sequences };
}

/**
 * The contract a spec is tested with: the hand-written one that fits it, with the generic
 * sequences beside its own unless it says `generic: false`; the generic one alone where none fits.
 * With `generic` false (--no-generic) no generic sequence runs at all.
 */
export function contractForSpec(fitting: ApiContract | undefined, spec: Spec, generic = true): ApiContract {
  if (!generic) return fitting ?? { name: `${spec.name} (no contract)`, sequences: [] };
  if (!fitting) return genericContract(spec);
  if (fitting.generic === false) return fitting;
  const own = new Set(fitting.sequences.map((sequence) => sequence.name));
  const beside = genericContract(spec).sequences.filter((sequence) => !own.has(sequence.name));
  return { ...fitting, sequences: [...fitting.sequences, ...beside] };
}

type Created = { exchange: Exchange; id: unknown; request: ContractRequest };

/** Sends a create; the resource and its id, or the outcome that says why there is none. */
async function create(
  session: ContractSession,
  collection: Collection,
  generated: ContractRequest,
): Promise<Created | SequenceOutcome> {
  const request = await session.prepare(generated);
  const exchange = await session.send(request);
  const outcome = expectAnswer(exchange, collection.createdStatus, 'the create');
  if (!outcome.ok) return outcome;
  const id = jsonOf(exchange)?.[collection.idField];
  if (typeof id !== 'string' && typeof id !== 'number')
    return fail(
      exchange,
      `the created resource has no ${collection.idField}`,
      `a string or number ${collection.idField}`,
    );
  // A natural key the client chose as "" or "." names no path: nothing to check for this input.
  if (id === '' || id === '.' || id === '..') return { ok: true };
  return { exchange, id, request };
}

const isOutcome = (value: Created | SequenceOutcome): value is SequenceOutcome => 'ok' in value;

/** A request for the created item: the collection's path parameters, plus its id. */
function itemRequest(operation: Operation, created: Created, credential?: 'secondary'): ContractRequest {
  return {
    operation,
    pathParams: { ...created.request.pathParams, [/\{([^}]+)\}\/?$/.exec(operation.path)![1]]: created.id },
    query: {},
    headers: {},
    ...(credential ? { credential } : {}),
  };
}

function sequencesFor(collection: Collection): Sequence<ContractRequest>[] {
  const { create: createOperation, read, remove } = collection;
  const key = operationKey(createOperation);
  const input = () => validRequestArbitrary(createOperation);
  const sequences: Sequence<ContractRequest>[] = [];
  const named = (
    name: (typeof GENERIC_SEQUENCE_NAMES)[number],
    description: string,
    operations: (Operation | undefined)[],
    run: Sequence<ContractRequest>['run'],
    extra: Partial<Sequence<ContractRequest>> = {},
  ) =>
    sequences.push({
      name,
      description: `${description} (${key})`,
      operations: operations.filter((op): op is Operation => op !== undefined).map(operationKey),
      input,
      run,
      ...extra,
    });

  if (read) {
    named(
      'crud.ensure_resource_availability',
      'a created resource can be fetched at once',
      [createOperation, read],
      async (session, generated) => {
        const created = await create(session, collection, generated);
        if (isOutcome(created)) return created;
        const fetched = await session.send(itemRequest(read, created));
        const outcome = expectAnswer(
          fetched,
          documentedSuccessStatuses(read)[0] ?? 200,
          `fetching the resource just created (${collection.idField} ${JSON.stringify(created.id)})`,
        );
        if (!outcome.ok) return outcome;
        const id = jsonOf(fetched)?.[collection.idField];
        return id === undefined || id === created.id
          ? { ok: true }
          : fail(
              fetched,
              `fetching ${JSON.stringify(created.id)} returned ${JSON.stringify(id)}`,
              'the resource created',
            );
      },
    );
  }
  if (remove) {
    named(
      'crud.use_after_free',
      'after a DELETE the resource is gone (404)',
      [createOperation, remove, read],
      async (session, generated) => {
        const created = await create(session, collection, generated);
        if (isOutcome(created)) return created;
        const deleted = await session.send(itemRequest(remove, created));
        if (!isSuccess(deleted) || !isDocumented(remove, statusOf(deleted)!))
          return fail(
            deleted,
            `deleting the resource just created answered ${statusOf(deleted)}`,
            `a documented 2xx (${documentedSuccessStatuses(remove).join(', ')})`,
          );
        const after = await session.send(itemRequest(read ?? remove, created));
        return statusOf(after) === 404
          ? { ok: true }
          : fail(
              after,
              `after its DELETE, ${read ? 'fetching' : 'deleting again'} the resource answered ${statusOf(after)}`,
              '404',
            );
      },
    );
  }
  named(
    'crud.unique_ids',
    'every create gives a resource with an id of its own',
    [createOperation],
    async (session, generated) => {
      const seen = new Map<string, number>();
      for (let attempt = 1; attempt <= 3; attempt++) {
        const created = await create(session, collection, generated);
        if (isOutcome(created)) return created;
        // An id the client chose is the client's to repeat.
        if (isClientChosen(created, collection)) return { ok: true };
        const earlier = seen.get(String(created.id));
        if (earlier !== undefined)
          return fail(
            created.exchange,
            `create #${attempt} returned ${collection.idField} ${JSON.stringify(created.id)}, already given to create #${earlier}`,
            `a new ${collection.idField} for every create`,
          );
        seen.set(String(created.id), attempt);
      }
      return { ok: true };
    },
  );
  named(
    'crud.echo',
    'a created resource shows the writable fields sent and the documented defaults of those left out',
    [createOperation],
    async (session, generated) => {
      // As generated, and once more with every defaulted field left out: defaults are checked in every run, not by chance.
      for (const body of [generated.body, withoutDefaulted(jsonBodyOf(createOperation)?.schema, generated.body)]) {
        const created = await create(session, collection, { ...generated, body });
        if (isOutcome(created)) return created;
        const expected = applyDefaults(jsonBodyOf(createOperation)?.schema, created.request.body);
        if (!isPlainObject(expected)) return { ok: true };
        const { [collection.idField]: _id, ...sent } = expected;
        const mismatch = echoMismatch(
          createdSchema(createOperation, collection.createdStatus),
          sent,
          jsonOf(created.exchange),
          answerAdmits(created.exchange),
        );
        if (mismatch) return fail(created.exchange, mismatch.message, mismatch.expected);
      }
      return { ok: true };
    },
  );
  named(
    'crud.repeated_create',
    'the same create sent twice is answered with a documented status both times',
    [createOperation],
    async (session, generated) => {
      const request = await session.prepare(generated);
      for (const attempt of ['first', 'repeated']) {
        const sent = await session.send(request);
        const status = statusOf(sent);
        if (status === undefined || status >= 500 || !isDocumented(createOperation, status)) {
          return fail(
            sent,
            `the ${attempt} identical create answered ${status ?? sent.transportError}`,
            `a documented status (${createOperation.responses.map((r) => r.status).join(', ')})`,
          );
        }
      }
      return { ok: true };
    },
  );
  if (createOperation.security.length > 0 && (read || remove)) {
    named(
      'crud.tenant_isolation',
      'what one key created is neither readable nor deletable with another (403/404), and survives the attempt',
      [createOperation, read, remove],
      async (session, generated) => {
        const created = await create(session, collection, generated);
        if (isOutcome(created)) return created;
        for (const operation of [read, remove]) {
          if (!operation) continue;
          const foreign = await session.send(itemRequest(operation, created, 'secondary'));
          const status = statusOf(foreign);
          if (status !== 404 && status !== 403) {
            return fail(
              foreign,
              `${operation.method.toUpperCase()} of the first key's resource with the second key answered ${status}`,
              '404 (or 403)',
            );
          }
        }
        if (!read) return { ok: true };
        const still = await session.send(itemRequest(read, created));
        return isSuccess(still)
          ? { ok: true }
          : fail(
              still,
              `after another key's DELETE, the owner's GET answered ${statusOf(still)}`,
              'the resource, untouched',
            );
      },
      { needsSecondCredential: true },
    );
  }
  return sequences;
}

/** The schema of the create's success answer. */
function createdSchema(create: Operation, status: number): JsonSchema | undefined {
  return create.responses.find((r) => r.status === String(status))?.content.find((m) => /json/i.test(m.mediaType))
    ?.schema;
}

/** The body without the optional fields whose schema documents a default. */
function withoutDefaulted(schema: JsonSchema | undefined, body: unknown): unknown {
  if (!isPlainObject(body)) return body;
  const { properties, required } = objectShape(schema);
  const out: Record<string, unknown> = { ...body };
  for (const [name, property] of properties)
    if (property.default !== undefined && !required.has(name)) delete out[name];
  return out;
}

function isSuccess(exchange: Exchange): boolean {
  const status = statusOf(exchange);
  return status !== undefined && status >= 200 && status < 300;
}

function isClientChosen(created: Created, collection: Collection): boolean {
  const body = created.request.body;
  return body !== null && typeof body === 'object' && !Array.isArray(body) && Object.hasOwn(body, collection.idField);
}
