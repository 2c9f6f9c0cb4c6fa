/** The mock's request pipeline: route, authenticate, read and validate, then answer from state or the spec. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Router } from '../spec/router.js';
import { documentedSuccessStatuses, isDocumented } from '../spec/responses.js';
import type { Operation, Spec } from '../spec/types.js';
import { SpecValidator } from '../spec/validator.js';
import { ADMIN_PREFIX, handleAdmin } from './admin.js';
import type { AdminGuardSettings } from './admin-guard.js';
import { apiError, renderError, type ApiError } from './api-error.js';
import { isErrorOutcome, type Outcome, type RequestContext } from './behaviour.js';
import { genericBehaviour } from './behaviours/index.js';
import { isoTimestamp, type Clock } from './clock.js';
import { answerPreflight, corsHeaders, type HeaderFields } from './cors.js';
import { ANONYMOUS_TENANT, credentialHeaderNames, tenantFromHeaders, type CredentialResult } from './credentials.js';
import type { Fixtures } from './fixtures.js';
import type { IdSource } from './ids.js';
import { parseJsonBody } from './json-body.js';
import { writeJson } from './json-reply.js';
import { planOperation, type OperationPlan } from './operation-plan.js';
import { parsePrefer } from './prefer.js';
import { isJsonMediaType, readBody, type BodyResult } from './request-body.js';
import { RequestLog } from './request-log.js';
import { parseRequestTarget, type RequestTarget } from './request-target.js';
import { validateBody, validateParameters } from './request-validation.js';
import { specAnswer } from './spec-response.js';
import type { Store } from './store.js';

export interface MockSettings {
  /** Only these keys are accepted where a spec asks for one (any non-empty key otherwise). */
  apiKeys?: readonly string[];
  /** Unlocks global admin calls (all tenants, fixtures, clock) when sent as `x-parley-admin-token`. */
  adminToken?: string;
  /** Added delay per request: a fixed number of ms or a [min, max] range. */
  latencyMs?: number | readonly [number, number];
  /** Fraction (0..1) of requests answered with an injected 500 in the API's error shape. */
  errorRate?: number;
  /** Answer CORS preflights and allow any origin on the API routes (default true). */
  cors?: boolean;
  /** CORS on the admin endpoints too, and no Origin check there (default false). */
  corsAdmin?: boolean;
  /** Host names besides loopback that admin calls may name in Host and Origin. */
  allowedHosts?: readonly string[];
  maxBodyBytes: number;
  seed?: number;
  logCapacity?: number;
}

export interface MockParts {
  specs: Spec[];
  store: Store;
  fixtures: Fixtures;
  clock: Clock;
  ids: IdSource;
}

export class MockApp {
  readonly router: Router;
  readonly log: RequestLog;
  /** Header names that carry credentials in any loaded spec, for admin calls. */
  readonly credentialHeaders: string[];
  readonly adminGuard: AdminGuardSettings;
  private readonly plans = new Map<Operation, OperationPlan>();
  private readonly random: () => number;
  private requestCount = 0;

  constructor(readonly parts: MockParts, readonly settings: MockSettings) {
    this.router = new Router(parts.specs.flatMap((spec) => spec.operations));
    this.log = new RequestLog(settings.logCapacity ?? 1000);
    const allowedKeys = settings.apiKeys?.length ? new Set(settings.apiKeys) : undefined;
    this.adminGuard = {
      allowedHosts: new Set((settings.allowedHosts ?? []).map((host) => host.toLowerCase())),
      apiKeys: allowedKeys,
      corsAdmin: settings.corsAdmin === true,
    };
    for (const spec of parts.specs) {
      const validator = new SpecValidator(spec);
      for (const operation of spec.operations) this.plans.set(operation, planOperation(operation, validator, allowedKeys));
    }
    this.credentialHeaders = credentialHeaderNames(parts.specs);
    this.random = seededRandom(settings.seed ?? Date.now());
  }

  /** Entry point for every request; never throws (a bug becomes a 500 in the API's shape). */
  async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const started = performance.now();
    let url: RequestTarget;
    try {
      url = parseRequestTarget(request.url);
    } catch {
      // e.g. `GET http://[ HTTP/1.1`: Node's parser lets it through, but it names no path to route.
      request.resume();
      return writeJson(response, 400, { error: 'bad_request', message: 'The request target is not a valid URL' }, 'application/json');
    }
    const adminCall = url.pathname === ADMIN_PREFIX.slice(0, -1) || url.pathname.startsWith(ADMIN_PREFIX);
    // Admin endpoints carry no CORS headers unless asked for: a page on another origin must not read or drive them.
    const cors = this.settings.cors === false || (adminCall && !this.settings.corsAdmin) ? undefined : corsHeaders(request.headers);
    if (cors && answerPreflight(request, response, cors)) return;
    if (adminCall) {
      // Admin calls stay out of the request log: it shows the API traffic of the app under development.
      try {
        await handleAdmin(this, request, response, new URL(request.url ?? '/', 'http://mock.local'), cors);
      } catch (error) {
        writeJson(response, 500, { error: 'internal_error', message: `The mock failed: ${(error as Error).message}` }, 'application/json', undefined, cors);
      }
      return;
    }
    /** Whose request log the request goes to: set once authentication has settled it. */
    let tenant: string | undefined;
    let plan: OperationPlan | undefined;
    try {
      const routed = this.router.route(request.method ?? 'GET', url.pathname, url.searchParams);
      if (routed.kind !== 'matched') {
        request.resume();
        const error =
          routed.kind === 'not-found'
            ? apiError(404, 'NOT_FOUND', `No operation at ${url.pathname}`)
            : { ...apiError(405, 'METHOD_NOT_ALLOWED', `${request.method} is not allowed on ${url.pathname}; use ${routed.allowed.join(', ')}`), headers: { Allow: routed.allowed.join(', ') } };
        return this.sendError(response, error, undefined, this.specNearest(url.pathname), cors);
      }
      plan = this.plans.get(routed.match.operation)!;
      const auth = plan.authenticate(request.headers, url.searchParams);
      if (auth.kind === 'ok') tenant = auth.credential;
      else if (auth.kind === 'anonymous') tenant = ANONYMOUS_TENANT;
      const body = await readBody(request, this.settings.maxBodyBytes);
      const outcome = this.answer(request, url, plan, routed.match.pathParams, auth, body);
      if (this.settings.latencyMs) await this.delay();
      if (isErrorOutcome(outcome)) return this.sendError(response, outcome.error, plan.operation, plan.spec, cors);
      writeJson(response, outcome.status, outcome.body, plan.contentTypeFor(outcome.status), outcome.headers, cors);
    } catch (error) {
      const spec = plan?.spec ?? this.specNearest(url.pathname);
      this.sendError(response, apiError(500, 'INTERNAL_ERROR', `The mock failed: ${(error as Error).message}`), plan?.operation, spec, cors);
    } finally {
      this.log.add({
        at: Date.now(),
        // Unrouted or unauthenticated requests go to the log of the key they carried, not to the shared anonymous one.
        tenant: tenant ?? tenantFromHeaders(request.headers, this.credentialHeaders),
        method: request.method ?? 'GET',
        path: url.pathname + url.search,
        operationId: plan?.operation.id,
        status: response.statusCode,
        durationMs: Math.round((performance.now() - started) * 100) / 100,
      });
    }
  }

  /** Everything after the body has arrived, synchronously: no await between a look-up and the insert it decides. */
  private answer(
    request: IncomingMessage,
    url: RequestTarget,
    plan: OperationPlan,
    pathParams: Record<string, string>,
    auth: CredentialResult,
    body: BodyResult,
  ): Outcome {
    const { operation, statuses } = plan;
    const tenant = auth.kind === 'ok' ? auth.credential : ANONYMOUS_TENANT;
    if (body.kind === 'aborted') return { error: apiError(400, 'ABORTED', 'The request body was not received completely') };
    if (body.kind === 'too-large') {
      return { error: { ...apiError(413, 'PAYLOAD_TOO_LARGE', `The request body is larger than the limit of ${body.limit} bytes`), headers: { Connection: 'close' } } };
    }
    if (auth.kind === 'missing' || auth.kind === 'rejected') {
      const message = auth.kind === 'missing' ? `Not authenticated: send ${auth.expected}` : 'Invalid API key';
      return { error: apiError(statuses.auth, auth.kind === 'missing' ? 'NOT_AUTHENTICATED' : 'INVALID_API_KEY', message) };
    }
    const { parameters, issues } = validateParameters(operation, plan.validator, { path: pathParams, query: url.searchParams, headers: request.headers });
    const parsedBody = parseBody(plan, request, body);
    if ('error' in parsedBody) return parsedBody;
    const bodyIssues = parsedBody.present ? validateBody(plan.validator, plan.bodySchemaPointer, parsedBody.value) : [];
    if (issues.length + bodyIssues.length > 0) {
      return { error: apiError(statuses.validation, 'VALIDATION_ERROR', 'Request validation failed', [...issues, ...bodyIssues]) };
    }
    const requestNumber = ++this.requestCount;
    const now = this.parts.clock.now();
    const specSeed = (this.settings.seed ?? 0) * 1_000_003 + requestNumber;
    if (request.headers.prefer !== undefined) {
      const prefer = parsePrefer(request.headers.prefer);
      if (prefer.code !== undefined || prefer.example !== undefined || prefer.dynamic) return this.preferredAnswer(plan, prefer, now, specSeed);
    }
    if (this.settings.errorRate && this.random() < this.settings.errorRate) {
      return { error: apiError(500, 'INJECTED_ERROR', 'Injected failure (--error-rate)') };
    }
    const context: RequestContext = {
      operation,
      params: parameters,
      body: parsedBody.present ? parsedBody.value : undefined,
      tenant,
      state: this.parts.store.forTenant(tenant),
      now,
      timestamp: isoTimestamp(now),
      ids: this.parts.ids,
      fixtures: this.parts.fixtures,
      specResponse: (status) => specAnswer(operation, status, { now, seed: specSeed }).body,
    };
    const outcome = (plan.behaviour ?? genericBehaviour(url.pathname))(context);
    // Behaviours may change a stored record in place (a message appended to a session): count it, so the state file is saved.
    if (!isErrorOutcome(outcome) && operation.method !== 'get') this.parts.store.touch();
    return outcome;
  }

  /** `Prefer` asks for the spec's own answer, bypassing state, as Prism does. */
  private preferredAnswer(plan: OperationPlan, prefer: ReturnType<typeof parsePrefer>, now: Date, seed: number): Outcome {
    const { operation } = plan;
    const status = prefer.code ?? documentedSuccessStatuses(operation)[0] ?? 200;
    if (!isDocumented(operation, status) && !operation.responses.some((r) => r.status === 'default')) {
      // An undocumented error status is still useful to simulate (e.g. a 404 the docs leave out).
      if (status >= 400) return { error: apiError(status, 'PREFERRED_STATUS', `Simulated ${status} (Prefer: code=${status})`) };
      return { error: apiError(plan.statuses.validation, 'UNKNOWN_STATUS', `Prefer: code=${status} names a status this operation does not document`) };
    }
    const answer = specAnswer(operation, status, { example: prefer.example, dynamic: prefer.dynamic, now, seed });
    if (!answer.exampleFound) {
      return { error: apiError(plan.statuses.validation, 'UNKNOWN_EXAMPLE', `Prefer: example=${prefer.example} names no example of the ${status} response`) };
    }
    return { status, body: answer.body };
  }

  private async delay(): Promise<void> {
    const latency = this.settings.latencyMs;
    if (!latency) return;
    const ms = typeof latency === 'number' ? latency : latency[0] + this.random() * (latency[1] - latency[0]);
    if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
  }

  private sendError(response: ServerResponse, error: ApiError, operation: Operation | undefined, spec: Spec | undefined, cors: HeaderFields | undefined): void {
    const rendered = renderError(error, operation, spec);
    writeJson(response, rendered.status, rendered.body, rendered.contentType, rendered.headers, cors);
  }

  /** The spec whose paths share the longest prefix with an unrouted path, to answer in its error shape. */
  private specNearest(pathname: string): Spec | undefined {
    let best: Spec | undefined;
    let bestLength = -1;
    for (const spec of this.parts.specs) {
      for (const operation of spec.operations) {
        const literal = operation.path.split('{')[0];
        let length = 0;
        while (length < literal.length && literal[length] === pathname[length]) length++;
        if (length > bestLength) [best, bestLength] = [spec, length];
      }
    }
    return best;
  }
}

/** The request body as the operation's behaviour receives it, or the client error it amounts to. */
function parseBody(plan: OperationPlan, request: IncomingMessage, body: BodyResult): { present: boolean; value?: unknown } | { error: ApiError } {
  const { operation, statuses } = plan;
  const declared = operation.requestBody;
  if (body.kind === 'invalid-utf8') {
    return { error: apiError(statuses.validation, 'INVALID_ENCODING', 'The request body is not valid UTF-8', [{ type: 'json_invalid', loc: ['body'], msg: 'Invalid UTF-8 in request body' }]) };
  }
  if (body.kind === 'empty') {
    if (declared?.required) {
      return { error: apiError(statuses.validation, 'VALIDATION_ERROR', 'A request body is required', [{ type: 'missing', loc: ['body'], msg: 'Field required', input: null }]) };
    }
    return { present: false };
  }
  if (!declared) return { present: false };
  const contentType = request.headers['content-type'];
  if (!isJsonMediaType(contentType)) {
    const accepted = plan.acceptedMediaTypes;
    return { error: apiError(statuses.mediaType, 'UNSUPPORTED_MEDIA_TYPE', `Content-Type ${contentType ?? '(none)'} is not supported; send ${accepted}`, [{ type: 'model_attributes_type', loc: ['body'], msg: `Input should be sent as ${accepted}` }]) };
  }
  const parsed = parseJsonBody((body as { text: string }).text);
  if (parsed.ok) return { present: true, value: parsed.value };
  if (parsed.problem === 'out-of-range') {
    return { error: apiError(statuses.validation, 'VALIDATION_ERROR', parsed.message, [{ type: 'finite_number', loc: ['body', ...parsed.path], msg: 'Input should be a finite number' }]) };
  }
  if (parsed.problem === 'too-deep') {
    return { error: apiError(statuses.validation, 'NESTING_TOO_DEEP', parsed.message, [{ type: 'json_invalid', loc: ['body'], msg: parsed.message }]) };
  }
  return { error: apiError(statuses.validation, 'INVALID_JSON', parsed.message, [{ type: 'json_invalid', loc: ['body', parsed.position], msg: 'JSON decode error', input: {}, ctx: { error: parsed.reason } }]) };
}

/** mulberry32: small, fast, seedable; enough for latency jitter and error injection. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
