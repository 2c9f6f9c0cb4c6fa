/**
 * Admin endpoints under /__parley/: health, state, reset, request log, fixtures and clock.
 * Without the admin token a call acts only on the caller's own tenant (its API key); with it, on everything.
 */
import { timingSafeEqual } from 'node:crypto';
import type { MockApp } from './app.js';
import type { MockExchange } from './exchange.js';
import { isPlainObject } from '../openapi/json-value.js';
import type { HeaderFields } from './cors.js';
import { refuseAdminCall } from './admin-guard.js';
import { CLOCK_RANGE_TEXT, isWithinClockRange } from './clock.js';
import { ANONYMOUS_TENANT, tenantFromHeaders } from './credentials.js';
import { parseJsonBody } from './json-body.js';
import { sessionOf, sessionTenant } from './session.js';
import { estimateRecordBytes, type StoreSnapshot } from './store.js';
import { modulesFor } from '../apis/api-module.js';
import { dashboardAsset } from './dashboard/assets.js';
import { catalogue } from './dashboard/catalogue.js';

export const ADMIN_PREFIX = '/__parley/';
export const ADMIN_TOKEN_HEADER = 'x-parley-admin-token';

type AdminReply = { status: number; body: unknown; headers?: Record<string, string> };
/** The answer went out otherwise: a dashboard file, or an event stream left open. */
type Answered = { answered: true };
const ANSWERED: Answered = { answered: true };

/** The most a dashboard may ask for: enough to simulate a slow API, short of hanging its clients. */
const MAX_LATENCY_MS = 60_000;

const fail = (status: number, code: string, message: string): AdminReply => ({
  status,
  body: { error: code, message },
});

function isAdmin(app: MockApp, request: MockExchange): boolean {
  const expected = app.settings.adminToken;
  const given = request.headers[ADMIN_TOKEN_HEADER];
  if (!expected || typeof given !== 'string') return false;
  const [a, b] = [Buffer.from(given), Buffer.from(expected)];
  return a.length === b.length && timingSafeEqual(a, b);
}

async function readJson(request: MockExchange, limit: number): Promise<{ value: unknown } | AdminReply> {
  const body = await request.readBody(limit);
  if (body.kind === 'empty') return { value: {} };
  if (body.kind === 'too-large')
    return fail(413, 'payload_too_large', `The request body is larger than the limit of ${limit} bytes`);
  if (body.kind !== 'ok') return fail(400, 'invalid_body', 'The request body could not be read as UTF-8 JSON');
  const parsed = parseJsonBody(body.text);
  if (parsed.ok) return { value: parsed.value };
  return fail(
    400,
    parsed.problem === 'too-deep'
      ? 'nesting_too_deep'
      : parsed.problem === 'out-of-range'
        ? 'number_out_of_range'
        : 'invalid_json',
    parsed.message,
  );
}

export async function handleAdmin(app: MockApp, request: MockExchange, url: URL, cors?: HeaderFields): Promise<void> {
  const reply = await route(app, request, url, cors);
  if ('answered' in reply) return;
  request.json(reply.status, reply.body, 'application/json', reply.headers, cors);
}

async function route(
  app: MockApp,
  request: MockExchange,
  url: URL,
  cors: HeaderFields | undefined,
): Promise<AdminReply | Answered> {
  const { store, fixtures, clock, specs } = app.parts;
  const admin = isAdmin(app, request);
  const session = sessionOf(request.headers, url.searchParams);
  if (session.kind === 'invalid') {
    request.discardBody();
    return fail(400, 'invalid_session', session.message);
  }
  const keyTenant = tenantFromHeaders(request.headers, app.credentialHeaders);
  const tenant = sessionTenant(keyTenant, session);
  const name = url.pathname.slice(ADMIN_PREFIX.length);
  const action = `${request.method} ${name}`;
  const asset = request.method === 'GET' ? dashboardAsset(name) : undefined;
  // Health tells only which specs are served: readiness probes call it without a key. The dashboard's
  // files hold no data (a browser cannot send a key when it opens a page): they ask for it.
  const refused = refuseAdminCall(request, app.adminGuard, {
    admin,
    tenant: keyTenant,
    keyless: action === 'GET health' || asset !== undefined,
  });
  if (refused) {
    request.discardBody();
    return fail(refused.status, refused.code, refused.message);
  }
  const requested = url.searchParams.get('tenant');
  const scope = admin && requested === null ? undefined : (requested ?? tenant);
  // The anonymous tenant holds what keyless APIs (ElizaOS) stored: it belongs to no one, so any caller may act on it.
  if (!admin && scope !== tenant && scope !== ANONYMOUS_TENANT) {
    return fail(403, 'forbidden', `Reading another tenant's state needs the ${ADMIN_TOKEN_HEADER} header`);
  }
  const requireAdmin = () =>
    app.settings.adminToken && !admin
      ? fail(403, 'forbidden', `This call needs the ${ADMIN_TOKEN_HEADER} header`)
      : undefined;

  if (asset) {
    request.raw(200, asset.head, asset.body);
    return ANSWERED;
  }
  const logged = /^GET requests\/(\d{1,15})$/.exec(action);
  if (logged) {
    const entry = app.log.find(Number(logged[1]), scope);
    return entry
      ? { status: 200, body: entry }
      : fail(404, 'not_found', `No request ${logged[1]} in the log (it keeps the last ${app.log.capacity})`);
  }

  switch (action) {
    case 'GET health':
      return {
        status: 200,
        body: {
          status: 'ok',
          specs: specs.map((s) => ({ name: s.name, title: s.title, operations: s.operations.length })),
          records: admin ? store.size : undefined,
          memory: admin ? store.usage() : undefined,
        },
      };
    case 'GET state':
      return { status: 200, body: { tenant: scope ?? '*', ...store.snapshot(scope) } };
    case 'POST state': {
      const parsed = await readJson(request, app.settings.maxBodyBytes);
      if (!('value' in parsed)) return parsed;
      const seeded = seedState(app, scope ?? tenant, parsed.value);
      if (typeof seeded === 'number') return { status: 200, body: { seeded } };
      return 'tooLarge' in seeded
        ? fail(413, 'record_too_large', seeded.tooLarge)
        : fail(400, 'invalid_state', seeded.invalid);
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
    case 'GET events': {
      if (!request.events) return fail(501, 'not_supported', 'This transport cannot hold an event stream open');
      const channel = request.events(cors ?? {});
      app.feed.add(channel, scope);
      channel.send('hello', { tenant: scope ?? '*' });
      return ANSWERED;
    }
    case 'GET specs':
      return {
        status: 200,
        body: { specs: catalogue(specs), credentialHeaders: app.credentialHeaders, reload: app.reloadStatus },
      };
    case 'GET controls':
      return { status: 200, body: controlsOf(app) };
    case 'POST controls': {
      const denied = requireAdmin();
      if (denied) return denied;
      const parsed = await readJson(request, app.settings.maxBodyBytes);
      if (!('value' in parsed)) return parsed;
      const problem = applyControls(app, parsed.value);
      if (problem) return fail(400, 'invalid_controls', problem);
      app.feed.broadcast('controls', controlsOf(app));
      return { status: 200, body: controlsOf(app) };
    }
    case 'GET clock':
      return { status: 200, body: { now: clock.now().toISOString(), offsetMs: clock.offset() } };
    case 'POST clock': {
      const denied = requireAdmin();
      if (denied) return denied;
      const parsed = await readJson(request, app.settings.maxBodyBytes);
      if (!('value' in parsed)) return parsed;
      const { advanceMs, advanceMinutes } = (parsed.value ?? {}) as { advanceMs?: unknown; advanceMinutes?: unknown };
      const ms =
        typeof advanceMs === 'number' ? advanceMs : typeof advanceMinutes === 'number' ? advanceMinutes * 60_000 : NaN;
      if (!Number.isFinite(ms)) return fail(400, 'invalid_clock', 'Send {"advanceMinutes": N} or {"advanceMs": N}');
      const target = clock.now().getTime() + ms;
      if (!isWithinClockRange(target)) {
        return fail(
          400,
          'clock_out_of_range',
          `Moving the clock by ${ms} ms would leave ${CLOCK_RANGE_TEXT}; the clock stays at ${clock.now().toISOString()}`,
        );
      }
      clock.advance(ms);
      const moved = { now: clock.now().toISOString(), offsetMs: clock.offset() };
      app.feed.broadcast('clock', moved);
      return { status: 200, body: moved };
    }
    default:
      return fail(404, 'not_found', `No admin endpoint ${action}; see GET ${ADMIN_PREFIX}health`);
  }
}

/** The run-time controls as the admin API and the dashboard show them. */
export function controlsOf(app: MockApp): { latencyMs: number | readonly [number, number]; errorRate: number } {
  return { latencyMs: app.settings.latencyMs ?? 0, errorRate: app.settings.errorRate ?? 0 };
}

const isLatency = (value: unknown): value is number =>
  typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= MAX_LATENCY_MS;

/** Changes latency and error rate at run time: `{"latencyMs": 200 | [min, max], "errorRate": 0.1}`. Returns a problem, or undefined. */
function applyControls(app: MockApp, value: unknown): string | undefined {
  if (!isPlainObject(value)) return 'Send {"latencyMs": <ms> or [<min>, <max>], "errorRate": <0..1>}';
  const { latencyMs, errorRate } = value as { latencyMs?: unknown; errorRate?: unknown };
  const range =
    Array.isArray(latencyMs) && latencyMs.length === 2 && latencyMs.every(isLatency) && latencyMs[0] <= latencyMs[1];
  if (latencyMs !== undefined && !isLatency(latencyMs) && !range)
    return `latencyMs must be 0 to ${MAX_LATENCY_MS} ms, or a [min, max] range within it`;
  if (errorRate !== undefined && !(typeof errorRate === 'number' && errorRate >= 0 && errorRate <= 1))
    return 'errorRate must be a number from 0 to 1';
  // Checked in full first: a refused change changes nothing.
  if (latencyMs !== undefined)
    app.settings.latencyMs = range ? [(latencyMs as number[])[0], (latencyMs as number[])[1]] : (latencyMs as number);
  if (errorRate !== undefined) app.settings.errorRate = errorRate as number;
  return undefined;
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
      const problem = checkSeededRecord(app, collection, record);
      if (problem) return { invalid: `"${collection}"."${id}": ${problem}` };
      const bytes = estimateRecordBytes(id, record);
      if (bytes > maxRecordBytes)
        return {
          tooLarge: `"${collection}"."${id}" takes ${bytes} bytes, over the limit of ${maxRecordBytes} bytes per record (--max-record-size)`,
        };
    }
  }
  // Checked in full first: a refused seed stores nothing.
  for (const [collection, records] of Object.entries(collections)) {
    for (const [id, record] of Object.entries(records)) app.parts.store.put(tenant, collection, id, record);
    count += Object.keys(records).length;
  }
  return count;
}

/** The seed check of the module that owns a collection, for the specs being served. */
function checkSeededRecord(app: MockApp, collection: string, record: Record<string, unknown>): string | undefined {
  for (const spec of app.parts.specs)
    for (const module of modulesFor(app.parts.apis, spec)) {
      const check = module.seedChecks && Object.hasOwn(module.seedChecks, collection) && module.seedChecks[collection];
      if (check) return check(record);
    }
  return undefined;
}
