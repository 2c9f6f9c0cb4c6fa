/** The mock's request pipeline: route, authenticate, read and validate, then answer from state or the spec. */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { exampleFromSchema } from '../openapi/example.js';
import { Router } from '../openapi/router.js';
import { documentedSuccessStatuses, isDocumented } from '../openapi/responses.js';
import type { JsonSchema, Operation, Spec } from '../openapi/types.js';
import { validatorOf } from '../openapi/validator.js';
import { ADMIN_PREFIX, handleAdmin } from './admin.js';
import { fitToAnswerSchema } from './answer-fit.js';
import type { AdminGuardSettings } from './admin-guard.js';
import { apiError, renderError, type ApiError, type FieldIssue } from './api-error.js';
import { decodeRequestBody } from './body-decoders.js';
import { documentedHeaders } from './documented-headers.js';
import { nonJsonPayload } from './media-body.js';
import { isJsonType } from '../openapi/media-type.js';
import { isErrorOutcome, type Outcome, type RequestContext } from './behaviour.js';
import { behaviourFor, type ApiModule } from '../apis/api-module.js';
import { genericBehaviour } from './generic-behaviour.js';
import { isoTimestamp, type Clock } from './clock.js';
import { corsHeaders, preflightHeaders, type HeaderFields } from './cors.js';
import { ANONYMOUS_TENANT, credentialHeaderNames, tenantFromHeaders, type CredentialResult } from './credentials.js';
import type { Fixtures } from './fixtures.js';
import type { IdSource } from './ids.js';
import { DashboardFeed } from './dashboard/feed.js';
import { sampleFromSchema } from './dynamic-data.js';
import type { MockExchange } from './exchange.js';
import { NodeExchange } from './node-exchange.js';
import { planOperation, type OperationPlan } from './operation-plan.js';
import { parsePrefer } from './prefer.js';
import type { BodyResult } from './request-body.js';
import { RequestLog } from './request-log.js';
import { parseRequestTarget, type RequestTarget } from './request-target.js';
import { validateBody, validateParameters } from './request-validation.js';
import { sessionOf, sessionTenant, type SessionResult } from './session.js';
import { specAnswer } from './spec-response.js';
import { RecordTooLargeError, type Store } from './store.js';

/** Seed offsets of the random answers tried, after the static one, to fit an answer to its schema. */
const ANSWER_SAMPLE_SEEDS = [0, 1, 2, 3];

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

export interface ReloadStatus {
  at: string;
  /** Why the last edit was not loaded. */
  error?: string;
  /** Flags whose new value in the config applies only at the next start. */
  restartToApply?: string[];
}

export interface MockParts {
  specs: Spec[];
  /** API modules whose behaviours, fixtures and seed checks apply to the specs they match. */
  apis: readonly ApiModule[];
  store: Store;
  fixtures: Fixtures;
  clock: Clock;
  ids: IdSource;
}

export class MockApp {
  /** Replaced as a whole when the specs are reloaded (--watch), never changed in place. */
  router: Router;
  readonly log: RequestLog;
  /** Header names that carry credentials in any loaded spec, for admin calls. */
  credentialHeaders: string[];
  readonly adminGuard: AdminGuardSettings;
  /** The dashboards watching, fed over Server-Sent Events. */
  readonly feed: DashboardFeed;
  /** When the specs were last loaded, why the last edit was not, and what needs a restart (with --watch). */
  reloadStatus: ReloadStatus = { at: new Date().toISOString() };
  private plans = new Map<Operation, OperationPlan>();
  private readonly random: () => number;
  private requestCount = 0;

  constructor(
    readonly parts: MockParts,
    readonly settings: MockSettings,
  ) {
    this.log = new RequestLog(settings.logCapacity ?? 1000);
    this.feed = new DashboardFeed(this.log);
    this.adminGuard = adminGuardOf(settings);
    [this.router, this.plans, this.credentialHeaders] = this.plan(parts.specs);
    this.random = seededRandom(settings.seed ?? Date.now());
  }

  /**
   * Settings changed while serving (a config reloaded with --watch), from the next request on.
   * New keys re-plan the operations, whose credential checks hold them.
   */
  applySettings(changes: Partial<MockSettings>): void {
    Object.assign(this.settings, changes);
    Object.assign(this.adminGuard, adminGuardOf(this.settings));
    if ('apiKeys' in changes) [this.router, this.plans, this.credentialHeaders] = this.plan(this.parts.specs);
  }

  /**
   * Serves new specs from the next request on (--watch). The store is kept as it is: records of
   * operations that still exist stay reachable. Everything is built before anything is swapped.
   */
  replaceSpecs(specs: Spec[], apis: readonly ApiModule[] = this.parts.apis): void {
    this.parts.apis = apis;
    const [router, plans, credentialHeaders] = this.plan(specs);
    this.parts.specs = specs;
    [this.router, this.plans, this.credentialHeaders] = [router, plans, credentialHeaders];
    this.reloadStatus = { at: new Date().toISOString() };
  }

  private plan(specs: readonly Spec[]): [Router, Map<Operation, OperationPlan>, string[]] {
    const plans = new Map<Operation, OperationPlan>();
    for (const spec of specs) {
      const validator = validatorOf(spec);
      for (const operation of spec.operations)
        plans.set(
          operation,
          planOperation(operation, validator, this.adminGuard.apiKeys, behaviourFor(this.parts.apis, operation)),
        );
    }
    return [new Router(specs.flatMap((spec) => spec.operations)), plans, credentialHeaderNames(specs)];
  }

  /** The node:http entry point: a thin adapter over `serve`. */
  handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    return this.serve(new NodeExchange(request, response));
  }

  /** Entry point for every request, whatever its transport; never throws (a bug becomes a 500 in the API's shape). */
  async serve(exchange: MockExchange): Promise<void> {
    const started = performance.now();
    let url: RequestTarget;
    try {
      url = parseRequestTarget(exchange.target);
    } catch {
      // e.g. `GET http://[ HTTP/1.1`: Node's parser lets it through, but it names no path to route.
      exchange.discardBody();
      return exchange.json(
        400,
        { error: 'bad_request', message: 'The request target is not a valid URL' },
        'application/json',
      );
    }
    const { method, headers } = exchange;
    const adminCall = url.pathname === ADMIN_PREFIX.slice(0, -1) || url.pathname.startsWith(ADMIN_PREFIX);
    // Admin endpoints carry no CORS headers unless asked for: a page on another origin must not read or drive them.
    const cors =
      this.settings.cors === false || (adminCall && !this.settings.corsAdmin) ? undefined : corsHeaders(headers);
    const preflight = cors && preflightHeaders(method, headers, cors);
    if (preflight) {
      exchange.discardBody();
      return exchange.raw(204, preflight, '');
    }
    if (adminCall) {
      // Admin calls stay out of the request log: it shows the API traffic of the app under development.
      try {
        await handleAdmin(this, exchange, new URL(exchange.target, 'http://mock.local'), cors);
      } catch (error) {
        exchange.json(
          500,
          { error: 'internal_error', message: `The mock failed: ${(error as Error).message}` },
          'application/json',
          undefined,
          cors,
        );
      }
      return;
    }
    /** Whose request log the request goes to: set once authentication has settled it. */
    let tenant: string | undefined;
    let plan: OperationPlan | undefined;
    let body: BodyResult | undefined;
    let issues: FieldIssue[] | undefined;
    try {
      const routed = this.router.route(method, url.pathname, url.searchParams);
      if (routed.kind !== 'matched') {
        exchange.discardBody();
        const error =
          routed.kind === 'not-found'
            ? apiError(404, 'NOT_FOUND', `No operation at ${url.pathname}`)
            : {
                ...apiError(
                  405,
                  'METHOD_NOT_ALLOWED',
                  `${method} is not allowed on ${url.pathname}; use ${routed.allowed.join(', ')}`,
                ),
                headers: { Allow: routed.allowed.join(', ') },
              };
        return this.sendError(exchange, error, undefined, this.specNearest(url.pathname), cors);
      }
      plan = this.plans.get(routed.match.operation)!;
      const session = sessionOf(headers, url.searchParams);
      const auth = plan.authenticate(headers, url.searchParams);
      if (auth.kind === 'ok') tenant = sessionTenant(auth.credential, session);
      else if (auth.kind === 'anonymous') tenant = sessionTenant(ANONYMOUS_TENANT, session);
      body = await exchange.readBody(this.settings.maxBodyBytes);
      const outcome = this.answer(headers, url, plan, routed.match.pathParams, auth, session, body);
      if (this.settings.latencyMs) await this.delay();
      if (isErrorOutcome(outcome)) {
        issues = outcome.error.issues;
        return this.sendError(exchange, outcome.error, plan.operation, plan.spec, cors);
      }
      const contentType = plan.contentTypeFor(outcome.status);
      const answerHeaders = withDocumentedHeaders(plan.operation, outcome.status, outcome.headers);
      if (isJsonType(contentType)) exchange.json(outcome.status, outcome.body, contentType, answerHeaders, cors);
      else
        exchange.raw(
          outcome.status,
          { ...cors, ...answerHeaders, 'Content-Type': contentType },
          nonJsonPayload(outcome.body, contentType),
        );
    } catch (error) {
      const spec = plan?.spec ?? this.specNearest(url.pathname);
      this.sendError(
        exchange,
        apiError(500, 'INTERNAL_ERROR', `The mock failed: ${(error as Error).message}`),
        plan?.operation,
        spec,
        cors,
      );
    } finally {
      const sent = exchange.sent;
      this.log.add(
        {
          at: Date.now(),
          // Unrouted or unauthenticated requests go to the log of the key they carried, not to the shared anonymous one.
          tenant:
            tenant ??
            sessionTenant(tenantFromHeaders(headers, this.credentialHeaders), sessionOf(headers, url.searchParams)),
          method,
          path: url.pathname + url.search,
          operationId: plan?.operation.id,
          status: sent?.status ?? 500,
          durationMs: Math.round((performance.now() - started) * 100) / 100,
        },
        {
          requestHeaders: headers,
          requestBody: body?.kind === 'ok' ? body.text : undefined,
          responseHeaders: sent?.head ?? {},
          responseBody: sent?.payload ?? '',
          issues,
        },
      );
    }
  }

  /**
   * Answers a request on a connection over the cap (`--max-connections`) at once: a 503 in the API's
   * error shape. Its body is drained, never kept: holding it is the memory the cap protects. The
   * connection is not closed under the client while it still sends (which could lose the answer);
   * every later request on it is refused too, and the keep-alive and request timeouts end it.
   */
  refuseConnection(request: IncomingMessage, response: ServerResponse, maxConnections: number): void {
    const exchange = new NodeExchange(request, response);
    exchange.discardBody();
    let pathname = '/';
    try {
      pathname = parseRequestTarget(request.url).pathname;
    } catch {
      // Unparsable target: answered in the first spec's shape.
    }
    const message = `The mock is serving its limit of ${maxConnections} connections; retry once one closes (--max-connections)`;
    const error = { ...apiError(503, 'TOO_MANY_CONNECTIONS', message), headers: { 'Retry-After': '1' } };
    this.sendError(exchange, error, undefined, this.specNearest(pathname), undefined);
  }

  /** Everything after the body has arrived, synchronously: no await between a look-up and the insert it decides. */
  private answer(
    headers: IncomingHttpHeaders,
    url: RequestTarget,
    plan: OperationPlan,
    pathParams: Record<string, string>,
    auth: CredentialResult,
    session: SessionResult,
    body: BodyResult,
  ): Outcome {
    const { operation, statuses } = plan;
    if (body.kind === 'aborted')
      return { error: apiError(400, 'ABORTED', 'The request body was not received completely') };
    if (body.kind === 'too-large') {
      return {
        error: {
          ...apiError(413, 'PAYLOAD_TOO_LARGE', `The request body is larger than the limit of ${body.limit} bytes`),
          headers: { Connection: 'close' },
        },
      };
    }
    if (auth.kind === 'missing' || auth.kind === 'rejected') {
      const message = auth.kind === 'missing' ? `Not authenticated: send ${auth.expected}` : 'Invalid API key';
      return {
        error: apiError(statuses.auth, auth.kind === 'missing' ? 'NOT_AUTHENTICATED' : 'INVALID_API_KEY', message),
      };
    }
    if (session.kind === 'invalid') return { error: apiError(400, 'INVALID_SESSION', session.message) };
    const tenant = sessionTenant(auth.kind === 'ok' ? auth.credential : ANONYMOUS_TENANT, session);
    const { parameters, issues } = validateParameters(operation, plan.validator, {
      path: pathParams,
      query: url.searchParams,
      headers,
    });
    const parsedBody = decodeRequestBody(plan, headers['content-type'], body);
    if ('error' in parsedBody) return parsedBody;
    const bodyIssues = parsedBody.present
      ? validateBody(plan.validator, parsedBody.schemaPointer, parsedBody.value)
      : [];
    if (issues.length + bodyIssues.length > 0) {
      return {
        error: apiError(statuses.validation, 'VALIDATION_ERROR', 'Request validation failed', [
          ...issues,
          ...bodyIssues,
        ]),
      };
    }
    const requestNumber = ++this.requestCount;
    const now = this.parts.clock.now();
    const specSeed = (this.settings.seed ?? 0) * 1_000_003 + requestNumber;
    if (headers.prefer !== undefined) {
      const prefer = parsePrefer(headers.prefer);
      if (prefer.code !== undefined || prefer.example !== undefined || prefer.dynamic)
        return this.preferredAnswer(plan, prefer, now, specSeed);
    }
    if (this.settings.errorRate && this.random() < this.settings.errorRate) {
      return { error: apiError(500, 'INJECTED_ERROR', 'Injected failure (--error-rate)') };
    }
    // Deep unions (OpenAI's response items) can defeat one build: a few seeds before giving up.
    const fitAnswer = (status: number, body: unknown) =>
      fitToAnswerSchema(operation, status, body, plan.validator, [
        (schema) => exampleFromSchema(schema, { direction: 'response', now }),
        ...ANSWER_SAMPLE_SEEDS.map((offset) => (schema: JsonSchema) => sampleFromSchema(schema, specSeed + offset)),
      ]);
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
      specResponse: (status) => fitAnswer(status, specAnswer(operation, status, { now, seed: specSeed }).body),
      fitAnswer,
    };
    let outcome: Outcome;
    try {
      outcome = (plan.behaviour ?? genericBehaviour(url.pathname))(context);
    } catch (error) {
      // Thrown by the store before it keeps anything: the state is as it was.
      if (!(error instanceof RecordTooLargeError)) throw error;
      return { error: apiError(413, 'RECORD_TOO_LARGE', `${error.message} (--max-record-size)`) };
    }
    // Behaviours may change a stored record in place (a message appended to a session): report it, so the state file saves it.
    if (!isErrorOutcome(outcome) && operation.method !== 'get') context.state.markReadRecordsChanged();
    return outcome;
  }

  /** `Prefer` asks for the spec's own answer, bypassing state, as Prism does. */
  private preferredAnswer(
    plan: OperationPlan,
    prefer: ReturnType<typeof parsePrefer>,
    now: Date,
    seed: number,
  ): Outcome {
    const { operation } = plan;
    const status = prefer.code ?? documentedSuccessStatuses(operation)[0] ?? 200;
    if (!isDocumented(operation, status) && !operation.responses.some((r) => r.status === 'default')) {
      // An undocumented error status is still useful to simulate (e.g. a 404 the docs leave out).
      if (status >= 400)
        return { error: apiError(status, 'PREFERRED_STATUS', `Simulated ${status} (Prefer: code=${status})`) };
      return {
        error: apiError(
          plan.statuses.validation,
          'UNKNOWN_STATUS',
          `Prefer: code=${status} names a status this operation does not document`,
        ),
      };
    }
    const answer = specAnswer(operation, status, { example: prefer.example, dynamic: prefer.dynamic, now, seed });
    if (!answer.exampleFound) {
      return {
        error: apiError(
          plan.statuses.validation,
          'UNKNOWN_EXAMPLE',
          `Prefer: example=${prefer.example} names no example of the ${status} response`,
        ),
      };
    }
    return { status, body: answer.body };
  }

  private async delay(): Promise<void> {
    const latency = this.settings.latencyMs;
    if (!latency) return;
    const ms = typeof latency === 'number' ? latency : latency[0] + this.random() * (latency[1] - latency[0]);
    if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
  }

  private sendError(
    exchange: MockExchange,
    error: ApiError,
    operation: Operation | undefined,
    spec: Spec | undefined,
    cors: HeaderFields | undefined,
  ): void {
    const rendered = renderError(error, operation, spec);
    const headers = operation ? withDocumentedHeaders(operation, rendered.status, rendered.headers) : rendered.headers;
    exchange.json(rendered.status, rendered.body, rendered.contentType, headers, cors);
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

function adminGuardOf(settings: MockSettings): AdminGuardSettings {
  return {
    allowedHosts: new Set((settings.allowedHosts ?? []).map((host) => host.toLowerCase())),
    apiKeys: settings.apiKeys?.length ? new Set(settings.apiKeys) : undefined,
    corsAdmin: settings.corsAdmin === true,
  };
}

/** The headers the spec documents for the status, under the answer's own. */
function withDocumentedHeaders(
  operation: Operation,
  status: number,
  own: HeaderFields | undefined,
): HeaderFields | undefined {
  const documented = documentedHeaders(operation, status);
  return documented && own ? { ...documented, ...own } : (own ?? documented);
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
