/**
 * `parley proxy`: forwards every request to the upstream unchanged (bodies streamed both ways, one
 * keep-alive pool, TLS through undici) and judges each exchange against the operation it matches.
 */
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { finished, pipeline } from 'node:stream/promises';
import { Agent, type Dispatcher, errors as undiciErrors } from 'undici';
import { closeGracefully, listen, startMockServer, type MockServerOptions, type RunningMock } from '../mock/server.js';
import { isDocumented } from '../openapi/responses.js';
import { loadSpecs } from '../openapi/load.js';
import { Router, type RouteMatch } from '../openapi/router.js';
import type { Spec } from '../openapi/types.js';
import { SpecValidator } from '../openapi/validator.js';
import { CoverageModel, parametersPresent } from '../coverage/model.js';
import { Capture } from './capture.js';
import type { ObservedExchange, ObservedResponse, Problem } from './exchange.js';
import { ExchangeLog } from './log.js';
import type { Recorder } from './recorder.js';
import { redactHeaders, redactUrl, secretNames, type SecretNames } from './redact.js';
import { judgeRequest, judgeResponse } from './validate.js';

export interface ProxyOptions {
  upstream: string;
  specFiles?: string[];
  specs?: Spec[];
  port?: number;
  host?: string;
  /** Bytes of each body kept for validation and reports (bodies are forwarded whole regardless). */
  captureBytes?: number;
  /** Deadline for the upstream's answer head and for each pause in its body. */
  upstreamTimeoutMs?: number;
  /** Answer operations the upstream lacks (404/405/501 it does not document) with the stateful mock. */
  fallback?: 'mock';
  /** The fallback mock's API modules and fixtures (default: the bundled modules, no extra fixtures). */
  fallbackParts?: Pick<MockServerOptions, 'apis' | 'fixtures'>;
  recorder?: Recorder;
  /** Exchanges with findings kept in memory for /__parley/violations. */
  capacity?: number;
}

export interface RunningProxy {
  url: string;
  port: number;
  log: ExchangeLog;
  close(): Promise<void>;
}

export const VIOLATIONS_PATH = '/__parley/violations';
export const VIOLATIONS_HEADER = 'Parley-Violations';
export const DEFAULT_CAPTURE_BYTES = 1024 * 1024;

// Hop-by-hop headers (RFC 9110 §7.6.1) belong to one connection, not to the message; undici refuses some outright.
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'expect',
  'host',
]);

function forwardable(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const connectionTokens = new Set(
    String(headers.connection ?? '')
      .toLowerCase()
      .split(',')
      .map((t) => t.trim()),
  );
  const out: Record<string, string | string[]> = Object.create(null);
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || connectionTokens.has(name)) continue;
    out[name] = value;
  }
  return out;
}

const flatten = (headers: Record<string, string | string[] | undefined>): Record<string, string> => {
  const flat: Record<string, string> = Object.create(null);
  for (const [name, value] of Object.entries(headers))
    if (value !== undefined) flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  return flat;
};

interface Upstream {
  origin: string;
  /** The upstream URL's own path, prefixed to every forwarded path ("" for none). */
  basePath: string;
}

function parseUpstream(url: string): Upstream {
  const parsed = new URL(url);
  return { origin: parsed.origin, basePath: parsed.pathname.replace(/\/+$/, '') };
}

export async function startProxy(options: ProxyOptions): Promise<RunningProxy> {
  const specs = options.specs ?? (await loadSpecs(options.specFiles ?? []));
  const router = new Router(specs.flatMap((spec) => spec.operations));
  const validators = new Map(specs.map((spec) => [spec, new SpecValidator(spec)]));
  const secrets = secretNames(specs);
  const upstream = parseUpstream(options.upstream);
  const timeoutMs = options.upstreamTimeoutMs ?? 30_000;
  const agent = new Agent({
    keepAliveTimeout: 10_000,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    connectTimeout: Math.min(timeoutMs, 10_000),
  });
  const fallback =
    options.fallback === 'mock'
      ? await startMockServer({ ...options.fallbackParts, specs, port: 0, host: '127.0.0.1' })
      : undefined;
  const log = new ExchangeLog(
    options.upstream,
    new CoverageModel(specs.flatMap((spec) => spec.operations)),
    options.capacity,
  );
  const context: ProxyContext = {
    router,
    validators,
    secrets,
    upstream,
    agent,
    fallback,
    log,
    recorder: options.recorder,
    captureBytes: options.captureBytes ?? DEFAULT_CAPTURE_BYTES,
  };

  const server = http.createServer({ keepAliveTimeout: 5_000 }, (request, response) => {
    handle(context, request, response).catch((error) => {
      // Whatever went wrong mid-stream, the client gets an end rather than a hang.
      if (!response.headersSent) sendError(response, 502, 'proxy_error', (error as Error).message, log.violations);
      else response.destroy(error as Error);
    });
  });
  const { url, port } = await listen(server, options.port ?? 4020, options.host);
  return {
    url,
    port,
    log,
    close: async () => {
      await closeGracefully(server, 5_000);
      await fallback?.close();
      await agent.close();
    },
  };
}

interface ProxyContext {
  router: Router;
  validators: Map<Spec, SpecValidator>;
  secrets: SecretNames;
  upstream: Upstream;
  agent: Agent;
  fallback: RunningMock | undefined;
  log: ExchangeLog;
  recorder: Recorder | undefined;
  captureBytes: number;
}

function sendJson(response: ServerResponse, status: number, body: unknown, violations: number): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    [VIOLATIONS_HEADER]: String(violations),
  });
  response.end(text);
}

function sendError(response: ServerResponse, status: number, error: string, message: string, violations: number): void {
  sendJson(response, status, { error, message }, violations);
}

async function handle(context: ProxyContext, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const started = performance.now();
  const pathAndQuery = request.url ?? '/';
  const url = new URL(pathAndQuery, 'http://proxy.invalid');
  const method = request.method ?? 'GET';
  if (url.pathname === VIOLATIONS_PATH) {
    if (method !== 'GET')
      return sendError(
        response,
        405,
        'method_not_allowed',
        `${VIOLATIONS_PATH} answers GET only`,
        context.log.violations,
      );
    return sendJson(response, 200, context.log.report(), context.log.violations);
  }
  const route = context.router.route(method, url.pathname, url.searchParams);
  const match = route.kind === 'matched' ? route.match : undefined;
  const requestCapture = new Capture(context.captureBytes);
  const hasBody =
    method !== 'GET' &&
    method !== 'HEAD' &&
    (request.headers['content-length'] !== undefined
      ? request.headers['content-length'] !== '0'
      : request.headers['transfer-encoding'] !== undefined);
  const requestBody = hasBody ? request.pipe(requestCapture) : null;
  if (!hasBody) request.resume();

  let answeredBy: ObservedExchange['answeredBy'] = 'upstream';
  let upstreamAnswer: Dispatcher.ResponseData;
  try {
    upstreamAnswer = await context.agent.request({
      origin: context.upstream.origin,
      path: context.upstream.basePath + pathAndQuery,
      method: method as 'GET',
      headers: forwardable(request.headers),
      body: requestBody,
    });
  } catch (error) {
    request.unpipe(requestCapture);
    request.resume();
    const timedOut =
      error instanceof undiciErrors.HeadersTimeoutError || error instanceof undiciErrors.ConnectTimeoutError;
    const message = `parley proxy: the upstream ${context.upstream.origin} ${timedOut ? 'did not answer in time' : `could not be reached (${describeError(error)})`}`;
    return sendError(
      response,
      timedOut ? 504 : 502,
      timedOut ? 'upstream_timeout' : 'upstream_unreachable',
      message,
      context.log.violations,
    );
  }

  if (context.fallback && match && upstreamLacks(match, upstreamAnswer.statusCode) && !requestCapture.truncated) {
    await upstreamAnswer.body.dump();
    if (requestBody) await finished(requestCapture).catch(() => undefined);
    upstreamAnswer = await context.agent.request({
      origin: context.fallback.url,
      path: pathAndQuery,
      method: method as 'GET',
      headers: forwardable(request.headers),
      body: hasBody ? requestCapture.bytes() : null,
    });
    answeredBy = 'mock';
  }

  const requestDone = !requestBody || requestCapture.writableFinished;
  const observedRequest = {
    method,
    url: redactUrl(pathAndQuery, context.secrets),
    headers: redactHeaders(flatten(request.headers), context.secrets),
    body: '',
    bodyBytes: 0,
    truncated: false,
  };
  const judge = (): Problem[] => {
    Object.assign(observedRequest, {
      body: requestCapture.bytes().toString('utf8'),
      bodyBytes: requestCapture.total,
      truncated: requestCapture.truncated,
    });
    if (!match)
      return [
        {
          side: 'request',
          check: 'documented_operation',
          message:
            route.kind === 'method-not-allowed'
              ? `${method} is not documented for ${url.pathname} (documented: ${route.allowed.join(', ')})`
              : `no operation in the specs matches ${method} ${url.pathname}`,
        },
      ];
    return judgeRequest(match, context.validators.get(match.operation.spec)!, observedRequest, {
      headers: request.headers,
      query: url.searchParams,
    });
  };
  // The request is judged before the answer goes out when it is complete by then (the usual case), so the header counts it.
  let requestProblems = requestDone ? judge() : undefined;

  const headers = forwardable(upstreamAnswer.headers as IncomingHttpHeaders);
  headers[VIOLATIONS_HEADER] = String(context.log.violations + (requestProblems?.length ?? 0));
  response.writeHead(upstreamAnswer.statusCode, headers);
  const responseCapture = new Capture(context.captureBytes);
  await pipeline(upstreamAnswer.body, responseCapture, response);
  if (requestBody) await finished(requestCapture).catch(() => undefined);
  requestProblems ??= judge();

  const durationMs = performance.now() - started;
  const observedResponse: ObservedResponse = {
    status: upstreamAnswer.statusCode,
    headers: redactHeaders(flatten(upstreamAnswer.headers), context.secrets),
    body: responseCapture.bytes().toString('utf8'),
    bodyBytes: responseCapture.total,
    truncated: responseCapture.truncated,
  };
  const verdict = match
    ? judgeResponse(match, context.validators.get(match.operation.spec)!, observedRequest, observedResponse, durationMs)
    : { violations: [], warnings: [] };
  const exchange: ObservedExchange = {
    id: context.log.nextId(),
    at: new Date().toISOString(),
    operation: match ? `${match.operation.spec.name} ${match.operation.id}` : undefined,
    request: observedRequest,
    response: observedResponse,
    durationMs,
    violations: [...requestProblems, ...verdict.violations],
    warnings: verdict.warnings,
    answeredBy,
  };
  context.log.add(exchange);
  if (match) {
    // Answers the mock gave in the upstream's place are told apart: they say nothing of the upstream.
    const phase = answeredBy === 'mock' ? 'proxy-fallback' : 'proxy';
    const parameters = parametersPresent(match.operation, {
      path: Object.keys(match.pathParams),
      query: url.searchParams.keys(),
      headers: Object.keys(request.headers),
      cookies: cookieNames(request.headers.cookie),
    });
    context.log.coverage.observeExchange(
      match.operation,
      phase,
      upstreamAnswer.statusCode,
      observedResponse.headers['content-type'],
      parameters,
    );
  }
  if (match && context.recorder) context.recorder.observe(match, url.pathname, exchange);
}

function cookieNames(header: string | undefined): string[] {
  return (header ?? '')
    .split(';')
    .map((pair) => pair.split('=')[0].trim())
    .filter(Boolean);
}

/** The upstream does not have this operation yet: it says the path or method is unknown, and the spec does not document that answer. */
function upstreamLacks(match: RouteMatch, status: number): boolean {
  if (status === 405 || status === 501) return true;
  return status === 404 && !isDocumented(match.operation, 404);
}

function describeError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  const code = (error as { code?: string })?.code;
  return cause?.code ?? cause?.message ?? code ?? (error as Error)?.message ?? String(error);
}
