/**
 * Admin endpoints under /__parley/: health, state, reset, request log, fixtures and clock.
 * Without the admin token a call acts only on the caller's own tenant (its API key); with it, on everything.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import type { MockApp } from './app.js';
import { writeJson } from './json-reply.js';
import { isPlainObject } from '../spec/json-value.js';
import type { HeaderFields } from './cors.js';
import { refuseAdminCall } from './admin-guard.js';
import { CLOCK_RANGE_TEXT, isWithinClockRange } from './clock.js';
import { ANONYMOUS_TENANT, tenantFromHeaders } from './credentials.js';
import { parseJsonBody } from './json-body.js';
import { readBody } from './request-body.js';
import { estimateRecordBytes, type StoreSnapshot } from './store.js';
import { checkSeededRecord } from './behaviours/index.js';

export const ADMIN_PREFIX = '/__parley/';
export const ADMIN_TOKEN_HEADER = 'x-parley-admin-token';

type AdminReply = { status: number; body: unknown; headers?: Record<string, string> };

const fail = (status: number, code: string, message: string): AdminReply => ({ status, body: { error: code, message } });

function isAdmin(app: MockApp, request: IncomingMessage): boolean {
  const expected = app.settings.adminToken;
  const given = request.headers[ADMIN_TOKEN_HEADER];
  if (!expected || typeof given !== 'string') return false;
  const [a, b] = [Buffer.from(given), Buffer.from(expected)];
  return a.length === b.length && timingSafeEqual(a, b);
}

async function readJson(request: IncomingMessage, limit: number): Promise<{ value: unknown } | AdminReply> {
  const body = await readBody(request, limit);
  if (body.kind === 'empty') return { value: {} };
  if (body.kind === 'too-large') return fail(413, 'payload_too_large', `The request body is larger than the limit of ${limit} bytes`);
  if (body.kind !== 'ok') return fail(400, 'invalid_body', 'The request body could not be read as UTF-8');
  const parsed = parseJsonBody(body.text);
  if (parsed.ok) return { value: parsed.value };
  return fail(400, parsed.problem === 'too-deep' ? 'nesting_too_deep' : parsed.problem === 'out-of-range' ? 'number_out_of_range' : 'invalid_json', parsed.message);
}

export async function handleAdmin(app: MockApp, request: IncomingMessage, response: ServerResponse, url: URL, cors?: HeaderFields): Promise<void> {
  const reply = await route(app, request, url);
  writeJson(response, reply.status, reply.body, 'application/json', reply.headers, cors);
}

async function route(app: MockApp, request: IncomingMessage, url: URL): Promise<AdminReply> {
  const { store, fixtures, clock, specs } = app.parts;
  const admin = isAdmin(app, request);
  const tenant = tenantFromHeaders(request.headers, app.credentialHeaders);
  const action = `${request.method} ${url.pathname.slice(ADMIN_PREFIX.length)}`;
  // Health tells only which specs are served: readiness probes call it without a key.
  const refused = refuseAdminCall(request, app.adminGuard, { admin, tenant, keyless: action === 'GET health' });
  if (refused) {
    request.resume();
    return fail(refused.status, refused.code, refused.message);
  }
  const requested = url.searchParams.get('tenant');
  const scope = admin && requested === null ? undefined : requested ?? tenant;
  // The anonymous tenant holds what keyless APIs (ElizaOS) stored: it belongs to no one, so any caller may act on it.
  if (!admin && scope !== tenant && scope !== ANONYMOUS_TENANT) {
    return fail(403, 'forbidden', `Reading another tenant's state needs the ${ADMIN_TOKEN_HEADER} header`);
  }
  const requireAdmin = () =>
    app.settings.adminToken && !admin ? fail(403, 'forbidden', `This call needs the ${ADMIN_TOKEN_HEADER} header`) : undefined;

  switch (action) {
    case 'GET health':
      return {
        status: 200,
        body: { status: 'ok', specs: specs.map((s) => ({ name: s.name, title: s.title, operations: s.operations.length })), records: admin ? store.size : undefined, memory: admin ? store.usage() : undefined },
      };
    case 'GET state':
      return { status: 200, body: { tenant: scope ?? '*', ...store.snapshot(scope) } };
    case 'POST state': {
      const parsed = await readJson(request, app.settings.maxBodyBytes);
      if (!('value' in parsed)) return parsed;
      const seeded = seedState(app, scope ?? tenant, parsed.value);
      if (typeof seeded === 'number') return { status: 200, body: { seeded } };
      return 'tooLarge' in seeded ? fail(413, 'record_too_large', seeded.tooLarge) : fail(400, 'invalid_state', seeded.invalid);
    }
    case 'POST reset':
      store.reset(scope);
      app.log.clear(scope);
      return { status: 200, body: { reset: scope ?? '*' } };
    case 'GET requests':
      return { status: 200, body: { requests: app.log.list(scope) } };
    case 'GET fixtures':
      return { status: 200, body: fixtures.toJSON() };
    case 'POST fixtures': {
      const denied = requireAdmin();
      if (denied) return denied;
      const parsed = await readJson(request, app.settings.maxBodyBytes);
      if (!('value' in parsed)) return parsed;
      try {
        fixtures.merge(parsed.value);
      } catch (error) {
        return fail(400, 'invalid_fixtures', (error as Error).message);
      }
      return { status: 200, body: fixtures.toJSON() };
    }
    case 'GET clock':
      return { status: 200, body: { now: clock.now().toISOString(), offsetMs: clock.offset() } };
    case 'POST clock': {
      const denied = requireAdmin();
      if (denied) return denied;
      const parsed = await readJson(request, app.settings.maxBodyBytes);
      if (!('value' in parsed)) return parsed;
      const { advanceMs, advanceMinutes } = (parsed.value ?? {}) as { advanceMs?: unknown; advanceMinutes?: unknown };
      const ms = typeof advanceMs === 'number' ? advanceMs : typeof advanceMinutes === 'number' ? advanceMinutes * 60_000 : NaN;
      if (!Number.isFinite(ms)) return fail(400, 'invalid_clock', 'Send {"advanceMinutes": N} or {"advanceMs": N}');
      const target = clock.now().getTime() + ms;
      if (!isWithinClockRange(target)) {
        return fail(400, 'clock_out_of_range', `Moving the clock by ${ms} ms would leave ${CLOCK_RANGE_TEXT}; the clock stays at ${clock.now().toISOString()}`);
      }
      clock.advance(ms);
      return { status: 200, body: { now: clock.now().toISOString(), offsetMs: clock.offset() } };
    }
    default:
      return fail(404, 'not_found', `No admin endpoint ${action}; see GET ${ADMIN_PREFIX}health`);
  }
}

/** Adds records to one tenant: `{"collection": {"id": {...record}}}`. Returns the count, or what is wrong. */
function seedState(app: MockApp, tenant: string, value: unknown): number | { invalid: string } | { tooLarge: string } {
  if (!isPlainObject(value)) return { invalid: 'Send {"<collection>": {"<id>": {...record}}}' };
  let count = 0;
  const collections = value as StoreSnapshot['tenants'][string];
  const { maxRecordBytes } = app.parts.store;
  for (const [collection, records] of Object.entries(collections)) {
    if (!isPlainObject(records)) return { invalid: `"${collection}" must map ids to records` };
    for (const [id, record] of Object.entries(records)) {
      if (!isPlainObject(record)) return { invalid: `"${collection}"."${id}" must be an object` };
      const problem = checkSeededRecord(collection, record);
      if (problem) return { invalid: `"${collection}"."${id}": ${problem}` };
      const bytes = estimateRecordBytes(id, record);
      if (bytes > maxRecordBytes) return { tooLarge: `"${collection}"."${id}" takes ${bytes} bytes, over the limit of ${maxRecordBytes} bytes per record (--max-record-size)` };
    }
  }
  // Checked in full first: a refused seed stores nothing.
  for (const [collection, records] of Object.entries(collections)) {
    for (const [id, record] of Object.entries(records)) app.parts.store.put(tenant, collection, id, record);
    count += Object.keys(records).length;
  }
  return count;
}
