/** The mock's request pipeline: route, authenticate, read and validate, then answer from state or the spec. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Router } from '../spec/router.js';
import type { Operation, Spec } from '../spec/types.js';
import { SpecValidator } from '../spec/validator.js';
import { handleAdmin, ADMIN_PREFIX } from './admin.js';
import { apiError, renderError, type ApiError } from './api-error.js';
import { isErrorOutcome, type Outcome, type RequestContext } from './behaviour.js';
import { behaviourFor } from './behaviours/index.js';
import type { Clock } from './clock.js';
import { applyCors } from './cors.js';
import { ANONYMOUS_TENANT, authenticate } from './credentials.js';
import { documentedSuccessStatuses, isDocumented } from '../spec/responses.js';
import { pickStatus } from './error-style.js';
import type { Fixtures } from './fixtures.js';
import type { IdSource } from './ids.js';
import { parsePrefer } from './prefer.js';
import { isJsonMediaType, readBody } from './request-body.js';
import { exceedsJsonDepth, MAX_JSON_DEPTH } from './json-depth.js';
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
  /** Answer CORS preflights and allow any origin (default true). */
  cors?: boolean;
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

// Statuses for each kind of client error, best first: the first the operation documents is used.
const VALIDATION_STATUSES = [422, 400];
const MEDIA_TYPE_STATUSES = [415, 422, 400];
const AUTH_STATUSES = [401, 403];

export class MockApp {
  readonly router: Router;
  readonly log: RequestLog;
  readonly allowedKeys: ReadonlySet<string> | undefined;
  /** Header names that carry credentials in any loaded spec, for admin calls. */
  readonly credentialHeaders: string[];
  private readonly validators = new Map<Spec, SpecValidator>();
  private readonly random: () => number;
  private requestCount = 0;

  constructor(readonly parts: MockParts, readonly settings: MockSettings) {
    this.router = new Router(parts.specs.flatMap((spec) => spec.operations));
    this.log = new RequestLog(settings.logCapacity ?? 1000);
    this.allowedKeys = settings.apiKeys?.length ? new Set(settings.apiKeys) : undefined;
    for (const spec of parts.specs) this.validators.set(spec, new SpecValidator(spec));
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
    if (url.pathname === ADMIN_PREFIX.slice(0, -1) || url.pathname.startsWith(ADMIN_PREFIX)) {
      // Admin calls stay out of the request log: it shows the API traffic of the app under development.
      if (this.settings.cors !== false && applyCors(request, response)) return;
      try {
        await handleAdmin(this, request, response, new URL(request.url ?? '/', 'http://mock.local'));
      } catch (error) {
        writeJson(response, 500, { error: 'internal_error', message: `The mock failed: ${(error as Error).message}` }, 'application/json');
      }
      return;
    }
    let tenant = ANONYMOUS_TENANT;
    let operation: Operation | undefined;
    try {
      if (this.settings.cors !== false && applyCors(request, response)) return;
      const routed = this.router.route(request.method ?? 'GET', url.pathname);
      if (routed.kind !== 'matched') {
        request.resume();
        const spec = this.specNearest(url.pathname);
        const error =
          routed.kind === 'not-found'
            ? apiError(404, 'NOT_FOUND', `No operation at ${url.pathname}`)
            : { ...apiError(405, 'METHOD_NOT_ALLOWED', `${request.method} is not allowed on ${url.pathname}; use ${routed.allowed.join(', ')}`), headers: { Allow: routed.allowed.join(', ') } };
        return this.sendError(response, error, undefined, spec);
      }
      operation = routed.match.operation;
      const auth = authenticate(operation, request.headers, url.searchParams, this.allowedKeys);
      if (auth.kind === 'ok') tenant = auth.credential;
      const outcome = await this.answer(request, url, operation, routed.match.pathParams, auth, tenant);
      if (this.settings.latencyMs) await this.delay();
      if (isErrorOutcome(outcome)) return this.sendError(response, outcome.error, operation, operation.spec);
      this.sendReply(response, operation, outcome.status, outcome.body, outcome.headers);
    } catch (error) {
      const spec = operation?.spec ?? this.specNearest(url.pathname);
      this.sendError(response, apiError(500, 'INTERNAL_ERROR', `The mock failed: ${(error as Error).message}`), operation, spec);
    } finally {
      this.log.add({
        at: Date.now(),
        tenant,
        method: request.method ?? 'GET',
        path: url.pathname + url.search,
        operationId: operation?.id,
        status: response.statusCode,
        durationMs: Math.round((performance.now() - started) * 100) / 100,
      });
    }
  }

  private async answer(
    request: IncomingMessage,
    url: RequestTarget,
    operation: Operation,
    pathParams: Record<string, string>,
    auth: ReturnType<typeof authenticate>,
    tenant: string,
  ): Promise<Outcome> {
    const body = await readBody(request, this.settings.maxBodyBytes);
    if (body.kind === 'aborted') return { error: apiError(400, 'ABORTED', 'The request body was not received completely') };
    if (body.kind === 'too-large') {
      return { error: { ...apiError(413, 'PAYLOAD_TOO_LARGE', `The request body is larger than the limit of ${body.limit} bytes`), headers: { Connection: 'close' } } };
    }
    if (auth.kind === 'missing' || auth.kind === 'rejected') {
      const message = auth.kind === 'missing' ? `Not authenticated: send ${auth.expected}` : 'Invalid API key';
      return { error: apiError(pickStatus(operation, AUTH_STATUSES), auth.kind === 'missing' ? 'NOT_AUTHENTICATED' : 'INVALID_API_KEY', message) };
    }
    const validator = this.validators.get(operation.spec)!;
    const { parameters, issues } = validateParameters(operation, validator, { path: pathParams, query: url.searchParams, headers: request.headers });
    const parsedBody = this.parseBody(operation, request, body);
    if ('error' in parsedBody) return parsedBody;
    const bodyIssues = parsedBody.present ? validateBody(operation, validator, 'application/json', parsedBody.value) : [];
    if (issues.length + bodyIssues.length > 0) {
      return { error: apiError(pickStatus(operation, VALIDATION_STATUSES), 'VALIDATION_ERROR', 'Request validation failed', [...issues, ...bodyIssues]) };
    }
    const requestNumber = ++this.requestCount;
    const now = this.parts.clock.now();
    const prefer = parsePrefer(request.headers.prefer);
    const specSeed = (this.settings.seed ?? 0) * 1_000_003 + requestNumber;
    if (prefer.code !== undefined || prefer.example !== undefined || prefer.dynamic) {
      return this.preferredAnswer(operation, prefer, now, specSeed);
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
      ids: this.parts.ids,
      fixtures: this.parts.fixtures,
      specResponse: (status) => specAnswer(operation, status, { now, seed: specSeed }).body,
    };
    const outcome = behaviourFor(operation, url.pathname)(context);
    // Behaviours may change a stored record in place (a message appended to a session): count it, so the state file is saved.
    if (!isErrorOutcome(outcome) && operation.method !== 'get') this.parts.store.touch();
    return outcome;
  }

  /** `Prefer` asks for the spec's own answer, bypassing state, as Prism does. */
  private preferredAnswer(operation: Operation, prefer: ReturnType<typeof parsePrefer>, now: Date, seed: number): Outcome {
    const status = prefer.code ?? documentedSuccessStatuses(operation)[0] ?? 200;
    if (!isDocumented(operation, status) && !operation.responses.some((r) => r.status === 'default')) {
      // An undocumented error status is still useful to simulate (e.g. a 404 the docs leave out).
      if (status >= 400) return { error: apiError(status, 'PREFERRED_STATUS', `Simulated ${status} (Prefer: code=${status})`) };
      return { error: apiError(pickStatus(operation, VALIDATION_STATUSES), 'UNKNOWN_STATUS', `Prefer: code=${status} names a status this operation does not document`) };
    }
    const answer = specAnswer(operation, status, { example: prefer.example, dynamic: prefer.dynamic, now, seed });
    if (!answer.exampleFound) {
      return { error: apiError(pickStatus(operation, VALIDATION_STATUSES), 'UNKNOWN_EXAMPLE', `Prefer: example=${prefer.example} names no example of the ${status} response`) };
    }
    return { status, body: answer.body };
  }

  private parseBody(
    operation: Operation,
    request: IncomingMessage,
    body: Awaited<ReturnType<typeof readBody>>,
  ): { present: boolean; value?: unknown } | { error: ApiError } {
    const declared = operation.requestBody;
    if (body.kind === 'invalid-utf8') {
      return { error: apiError(pickStatus(operation, VALIDATION_STATUSES), 'INVALID_ENCODING', 'The request body is not valid UTF-8', [{ type: 'json_invalid', loc: ['body'], msg: 'Invalid UTF-8 in request body' }]) };
    }
    if (body.kind === 'empty') {
      if (declared?.required) {
        return { error: apiError(pickStatus(operation, VALIDATION_STATUSES), 'VALIDATION_ERROR', 'A request body is required', [{ type: 'missing', loc: ['body'], msg: 'Field required', input: null }]) };
      }
      return { present: false };
    }
    if (!declared) return { present: false };
    const contentType = request.headers['content-type'];
    if (!isJsonMediaType(contentType)) {
      const accepted = declared.content.map((m) => m.mediaType);
      return { error: apiError(pickStatus(operation, MEDIA_TYPE_STATUSES), 'UNSUPPORTED_MEDIA_TYPE', `Content-Type ${contentType ?? '(none)'} is not supported; send ${accepted.join(' or ')}`, [{ type: 'model_attributes_type', loc: ['body'], msg: `Input should be sent as ${accepted.join(' or ')}` }]) };
    }
    const { text } = body as { text: string };
    if (exceedsJsonDepth(text)) {
      const message = `The request body nests arrays and objects more than ${MAX_JSON_DEPTH} levels deep`;
      return { error: apiError(pickStatus(operation, VALIDATION_STATUSES), 'NESTING_TOO_DEEP', message, [{ type: 'json_invalid', loc: ['body'], msg: message }]) };
    }
    try {
      return { present: true, value: JSON.parse(text) };
    } catch (error) {
      const message = (error as Error).message;
      const position = Number(/position (\d+)/.exec(message)?.[1] ?? 0);
      return { error: apiError(pickStatus(operation, VALIDATION_STATUSES), 'INVALID_JSON', `The request body is not valid JSON: ${message}`, [{ type: 'json_invalid', loc: ['body', position], msg: 'JSON decode error', input: {}, ctx: { error: message } }]) };
    }
  }

  private async delay(): Promise<void> {
    const latency = this.settings.latencyMs;
    if (!latency) return;
    const ms = typeof latency === 'number' ? latency : latency[0] + this.random() * (latency[1] - latency[0]);
    if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
  }

  sendReply(response: ServerResponse, operation: Operation | undefined, status: number, body: unknown, headers?: Record<string, string>): void {
    const documentedType = operation?.responses.find((r) => r.status === String(status))?.content[0]?.mediaType;
    const contentType = documentedType && /json/i.test(documentedType) ? documentedType : 'application/json';
    writeJson(response, status, body, contentType, headers);
  }

  sendError(response: ServerResponse, error: ApiError, operation: Operation | undefined, spec: Spec | undefined): void {
    const rendered = renderError(error, operation, spec);
    writeJson(response, rendered.status, rendered.body, rendered.contentType, rendered.headers);
  }

  /** The spec whose paths share the longest prefix with an unrouted path, to answer in its error shape. */
  specNearest(pathname: string): Spec | undefined {
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

export function writeJson(response: ServerResponse, status: number, body: unknown, contentType: string, headers?: Record<string, string>): void {
  if (response.headersSent || response.destroyed) return;
  const payload = body === undefined || status === 204 || status === 304 ? '' : JSON.stringify(body);
  const head: Record<string, string | number> = payload ? { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(payload) } : { 'Content-Length': 0 };
  if (headers) Object.assign(head, headers);
  response.writeHead(status, head);
  response.end(payload);
}

function credentialHeaderNames(specs: Spec[]): string[] {
  const names = new Set<string>();
  for (const scheme of specs.flatMap((spec) => spec.operations.flatMap((op) => op.security.flat()))) {
    if (scheme.type === 'apiKey' && scheme.in === 'header') names.add(scheme.name.toLowerCase());
    else names.add('authorization');
  }
  return [...names];
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
