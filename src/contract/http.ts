/** Puts contract requests on the wire with undici: one keep-alive pool per target, a deadline per request. */
import { Pool, errors as undiciErrors } from 'undici';
import { exceedsJsonDepth } from '../openapi/json-value.js';
import { parsePathKey } from '../openapi/path-key.js';
import { USER_AGENT } from '../version.js';
import { encodeBody } from './body-encoding.js';
import { placeCredentials, type Credentials, type PlacedCredentials } from './credentials.js';
import { RateLimiter } from './rate.js';
import { readResponse, ResponseTooLargeError } from './response-reader.js';
import { queryPairs } from './parameter-style.js';
import type { ContractRequest, ContractResponse, WireRequest } from './types.js';

export type { Credentials } from './credentials.js';

export type SendResult = { response: ContractResponse } | { transportError: string };

/** Response bytes read before the body is given up on: a target sending an endless body cannot exhaust the harness. */
export const DEFAULT_MAX_RESPONSE_BYTES = 4 * 1024 * 1024;
/**
 * Response JSON nested deeper is judged as text: everything that walks a parsed body (schema checks,
 * secret redaction, JSON.stringify of the report) stays far from the stack's limit.
 */
export const MAX_RESPONSE_JSON_DEPTH = 256;

export interface TargetClientOptions {
  ratePerSecond?: number;
  /** Default DEFAULT_MAX_RESPONSE_BYTES. */
  maxResponseBytes?: number;
}

export class TargetClient {
  private readonly pool: Pool;
  private stoppedAt: number | undefined;
  readonly base: URL;
  private readonly origin: string;

  private readonly limiter: RateLimiter | undefined;
  private readonly maxResponseBytes: number;

  constructor(
    target: string,
    private readonly timeoutMs: number,
    connections: number,
    options: TargetClientOptions = {},
  ) {
    this.base = new URL(target);
    this.origin = this.base.origin;
    this.maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    this.limiter = options.ratePerSecond ? new RateLimiter(options.ratePerSecond) : undefined;
    this.pool = new Pool(this.base.origin, {
      connections,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      connectTimeout: timeoutMs,
      keepAliveTimeout: 10_000,
      pipelining: 1,
    });
  }

  async send(wire: WireRequest): Promise<SendResult> {
    await this.limiter?.take();
    if (this.stoppedAt !== undefined) return { transportError: 'the run was stopped (--max-time)' };
    const started = performance.now();
    try {
      const { status, headers, text } = await readResponse(
        this.pool,
        {
          method: wire.method as 'GET',
          path: this.pathOf(wire.url),
          // Bodies are judged as the bytes that came: a compressed answer is never inflated (no decompression bombs).
          headers: { 'accept-encoding': 'identity', ...withUserAgent(wire.headers) },
          body: wire.body,
        },
        // undici's own header/body timeouts tick once a second; this holds the deadline to the millisecond.
        { maxBytes: this.maxResponseBytes, timeoutMs: this.timeoutMs },
      );
      return {
        response: { status, headers, text, ...parseResponseJson(text), durationMs: performance.now() - started },
      };
    } catch (error) {
      if (this.stoppedAt !== undefined) return { transportError: 'the run was stopped (--max-time)' };
      if (error instanceof ResponseTooLargeError) return { transportError: error.message };
      return { transportError: describeTransportError(error, this.timeoutMs) };
    }
  }

  /** The request target of a URL on this client's origin (as toWire builds them), without parsing it again. */
  private pathOf(url: string): string {
    if (url.startsWith(this.origin) && url.charAt(this.origin.length) === '/' && !url.includes('#'))
      return url.slice(this.origin.length);
    const parsed = new URL(url);
    return parsed.pathname + parsed.search;
  }

  /** Ends every request in flight and refuses new ones (the run's deadline passed). */
  stop(): void {
    this.stoppedAt ??= Date.now();
    void this.pool.destroy().catch(() => undefined);
  }

  close(): Promise<void> {
    return this.pool.destroyed ? Promise.resolve() : this.pool.destroy();
  }
}

export function parseJson(text: string): unknown {
  return parseResponseJson(text).json;
}

/** The parsed body, or why there is none although the body is not empty. */
export function parseResponseJson(text: string): Pick<ContractResponse, 'json' | 'jsonError'> {
  if (text.length === 0) return { json: undefined };
  if (exceedsJsonDepth(text, MAX_RESPONSE_JSON_DEPTH)) {
    return {
      json: undefined,
      jsonError: `it nests arrays and objects more than ${MAX_RESPONSE_JSON_DEPTH} levels deep, so it is judged as text`,
    };
  }
  try {
    return { json: JSON.parse(text) };
  } catch (error) {
    return { json: undefined, jsonError: `it is not JSON (${(error as Error).message})` };
  }
}

/** Names parley and its version to the server, unless the run set its own User-Agent. */
function withUserAgent(headers: Record<string, string>): Record<string, string> {
  return Object.keys(headers).some((name) => name.toLowerCase() === 'user-agent')
    ? headers
    : { 'user-agent': USER_AGENT, ...headers };
}

export function describeTransportError(error: unknown, timeoutMs: number): string {
  const e = error as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  const code = e?.code ?? e?.cause?.code;
  if (
    e?.name === 'TimeoutError' ||
    e instanceof undiciErrors.HeadersTimeoutError ||
    e instanceof undiciErrors.BodyTimeoutError ||
    code === 'UND_ERR_CONNECT_TIMEOUT'
  ) {
    return `no complete response within ${timeoutMs} ms`;
  }
  if (code === 'ECONNREFUSED') return 'connection refused (is the server running?)';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `the host name does not resolve (${code})`;
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return 'the connection was closed before a complete response';
  if (
    (typeof code === 'string' && code.startsWith('HPE_')) ||
    /does not match the HTTP|HTTP\/1\.1 protocol|parse error/i.test(e?.message ?? '')
  ) {
    return `the answer is not valid HTTP${code ? ` (${code})` : ''}`;
  }
  return `${code ? `${code}: ` : ''}${e?.message ?? String(error)}`;
}

type Operation = ContractRequest['operation'];

/** What toWire needs of an operation, worked out once per operation instead of once per request. */
interface WireTemplate {
  /** The path template split at its parameters: literal text at even places, parameter names at odd ones. */
  pathParts: string[];
  fixedQuery: [string, string][];
  /** The media types the operation documents for its answers (an image endpoint asks for its image), else anything. */
  accept: string;
  queryParameters: Map<string, Operation['parameters'][number]>;
  /** Credentials placed per the operation's security, per set of credentials. */
  placed: WeakMap<Credentials, PlacedCredentials>;
}

const wireTemplates = new WeakMap<Operation, WireTemplate>();

function wireTemplateOf(operation: Operation): WireTemplate {
  let template = wireTemplates.get(operation);
  if (!template) {
    const types = [
      ...new Set(operation.responses.flatMap((response) => response.content.map((media) => media.mediaType))),
    ];
    const { template: path, fixedQuery } = parsePathKey(operation.path);
    template = {
      pathParts: path.split(/\{([^}]+)\}/),
      fixedQuery,
      accept: types.length > 0 ? types.join(', ') : '*/*',
      // The first of a name wins, as a lookup by name would find it.
      queryParameters: new Map(
        operation.parameters
          .filter((p) => p.in === 'query')
          .reverse()
          .map((p) => [p.name, p]),
      ),
      placed: new WeakMap(),
    };
    wireTemplates.set(operation, template);
  }
  return template;
}

function placedFor(template: WireTemplate, operation: Operation, credentials: Credentials): PlacedCredentials {
  let placed = template.placed.get(credentials);
  if (!placed) template.placed.set(credentials, (placed = placeCredentials(operation.security, credentials)));
  return placed;
}

/** The target's base path without its trailing slash, worked out once per target. */
const pathPrefixes = new WeakMap<URL, string>();
function pathPrefixOf(base: URL): string {
  let prefix = pathPrefixes.get(base);
  if (prefix === undefined) pathPrefixes.set(base, (prefix = base.pathname.replace(/\/$/, '')));
  return prefix;
}

/** Serialises a contract request: path and query parameters, credentials, headers and body. */
export function toWire(request: ContractRequest, base: URL, credentials: Credentials): WireRequest {
  const { operation } = request;
  const wire = wireTemplateOf(operation);
  let path = wire.pathParts[0];
  for (let at = 1; at < wire.pathParts.length; at += 2)
    path += encodeURIComponent(String(request.pathParams[wire.pathParts[at]] ?? '')) + wire.pathParts[at + 1];
  const query = new URLSearchParams(wire.fixedQuery);
  for (const [name, value] of Object.entries(request.query)) {
    if (value === undefined) continue;
    const parameter = wire.queryParameters.get(name) ?? { name };
    for (const [key, text] of queryPairs(parameter, value)) query.append(key, text);
  }
  const headers: Record<string, string> = { accept: wire.accept, ...credentials.headers, ...request.headers };
  if (!request.withoutCredentials) {
    const placed = placedFor(wire, operation, credentials);
    Object.assign(headers, placed.headers);
    for (const [name, value] of placed.query) query.set(name, value);
    if (placed.cookies.length > 0) {
      const cookies = placed.cookies.map(([name, value]) => `${name}=${encodeURIComponent(value)}`).join('; ');
      headers.cookie = headers.cookie ? `${headers.cookie}; ${cookies}` : cookies;
    }
  }
  const search = query.toString();
  path = `${pathPrefixOf(base)}${path}`;
  let body: string | undefined;
  if (request.rawBody !== undefined) {
    body = request.rawBody;
    headers['content-type'] = request.contentType ?? 'application/json';
  } else if (request.body !== undefined) {
    const encoded = encodeBody(request.body, request.contentType ?? 'application/json');
    body = encoded.text;
    headers['content-type'] = encoded.contentType;
  }
  return {
    method: (request.method ?? operation.method).toUpperCase(),
    url: urlOf(base.origin, path, search),
    headers,
    body,
  };
}

/**
 * Path characters the URL parser keeps as they are (unreserved, sub-delimiters but the quote, ':',
 * '@', '%'), in segments after a leading '/' that is not '//' (which a parse would read as a host).
 */
const KEPT_PATH = /^\/(?!\/)[\w\-.~!$&()*+,;=:@%/]*$/;
/** A `.` or `..` segment (also percent-encoded), which the URL parser resolves away. */
const DOT_SEGMENT = /\/(?:\.|%2e){1,2}(?=\/|$)/i;

/**
 * The absolute URL of a request: the origin, the path and the query (URLSearchParams' output, which
 * the parser keeps as is). Put together as text when the parser would keep the path as it is (every
 * path made of percent-encoded parameters and a plain template); parsed otherwise, so the URL is the
 * one `new URL` makes either way, without a parse per request.
 */
function urlOf(origin: string, path: string, search: string): string {
  const target = search ? `${path}?${search}` : path;
  return KEPT_PATH.test(path) && !DOT_SEGMENT.test(path) ? origin + target : new URL(target, origin).toString();
}

/** A copy-pasteable curl command for a wire request. */
export function toCurl(wire: WireRequest): string {
  const quote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;
  const parts = ['curl', '-i', '-X', wire.method, quote(wire.url)];
  for (const [name, value] of Object.entries(wire.headers)) parts.push('-H', quote(`${name}: ${value}`));
  if (wire.body !== undefined) parts.push('--data-raw', quote(wire.body));
  return parts.join(' ');
}
