/** Puts contract requests on the wire with undici: one keep-alive pool per target, a deadline per request. */
import { Pool, errors as undiciErrors } from 'undici';
import { parsePathKey } from '../spec/path-key.js';
import { USER_AGENT } from '../version.js';
import { encodeBody } from './body-encoding.js';
import { placeCredentials, type Credentials } from './credentials.js';
import { RateLimiter } from './rate.js';
import { queryPairs } from './parameter-style.js';
import type { ContractRequest, ContractResponse, WireRequest } from './types.js';

export type { Credentials } from './credentials.js';

export type SendResult = { response: ContractResponse } | { transportError: string };

export class TargetClient {
  private readonly pool: Pool;
  private stoppedAt: number | undefined;
  readonly base: URL;

  private readonly limiter: RateLimiter | undefined;

  constructor(target: string, private readonly timeoutMs: number, connections: number, options: { ratePerSecond?: number } = {}) {
    this.base = new URL(target);
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
    const url = new URL(wire.url);
    try {
      const response = await this.pool.request({
        method: wire.method as 'GET',
        path: url.pathname + url.search,
        headers: withUserAgent(wire.headers),
        body: wire.body,
        // undici's own header/body timeouts tick once a second; this holds the deadline to the millisecond.
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      const text = await response.body.text();
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(response.headers)) {
        if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
      }
      return { response: { status: response.statusCode, headers, text, json: parseJson(text), durationMs: performance.now() - started } };
    } catch (error) {
      if (this.stoppedAt !== undefined) return { transportError: 'the run was stopped (--max-time)' };
      return { transportError: describeTransportError(error, this.timeoutMs) };
    }
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
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Names parley and its version to the server, unless the run set its own User-Agent. */
function withUserAgent(headers: Record<string, string>): Record<string, string> {
  return Object.keys(headers).some((name) => name.toLowerCase() === 'user-agent') ? headers : { 'user-agent': USER_AGENT, ...headers };
}

export function describeTransportError(error: unknown, timeoutMs: number): string {
  const e = error as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  const code = e?.code ?? e?.cause?.code;
  if (e?.name === 'TimeoutError' || e instanceof undiciErrors.HeadersTimeoutError || e instanceof undiciErrors.BodyTimeoutError || code === 'UND_ERR_CONNECT_TIMEOUT') {
    return `no complete response within ${timeoutMs} ms`;
  }
  if (code === 'ECONNREFUSED') return 'connection refused (is the server running?)';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `the host name does not resolve (${code})`;
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return 'the connection was closed before a complete response';
  if ((typeof code === 'string' && code.startsWith('HPE_')) || /does not match the HTTP|HTTP\/1\.1 protocol|parse error/i.test(e?.message ?? '')) {
    return `the answer is not valid HTTP${code ? ` (${code})` : ''}`;
  }
  return `${code ? `${code}: ` : ''}${e?.message ?? String(error)}`;
}

/** Serialises a contract request: path and query parameters, credentials, headers and body. */
export function toWire(request: ContractRequest, base: URL, credentials: Credentials): WireRequest {
  const { operation } = request;
  const { template, fixedQuery } = parsePathKey(operation.path);
  let path = template.replace(/\{([^}]+)\}/g, (_, name: string) => encodeURIComponent(String(request.pathParams[name] ?? '')));
  const query = new URLSearchParams(fixedQuery);
  for (const [name, value] of Object.entries(request.query)) {
    if (value === undefined) continue;
    const parameter = operation.parameters.find((p) => p.in === 'query' && p.name === name) ?? { name };
    for (const [key, text] of queryPairs(parameter, value)) query.append(key, text);
  }
  const headers: Record<string, string> = { accept: 'application/json', ...credentials.headers, ...request.headers };
  if (!request.withoutCredentials) {
    const placed = placeCredentials(operation.security, credentials);
    Object.assign(headers, placed.headers);
    for (const [name, value] of placed.query) query.set(name, value);
    if (placed.cookies.length > 0) {
      const cookies = placed.cookies.map(([name, value]) => `${name}=${encodeURIComponent(value)}`).join('; ');
      headers.cookie = headers.cookie ? `${headers.cookie}; ${cookies}` : cookies;
    }
  }
  const search = query.toString();
  const prefix = base.pathname.replace(/\/$/, '');
  path = `${prefix}${path}${search ? `?${search}` : ''}`;
  let body: string | undefined;
  if (request.rawBody !== undefined) {
    body = request.rawBody;
    headers['content-type'] = request.contentType ?? 'application/json';
  } else if (request.body !== undefined) {
    const encoded = encodeBody(request.body, request.contentType ?? 'application/json');
    body = encoded.text;
    headers['content-type'] = encoded.contentType;
  }
  return { method: (request.method ?? operation.method).toUpperCase(), url: new URL(path, base.origin).toString(), headers, body };
}

/** A copy-pasteable curl command for a wire request. */
export function toCurl(wire: WireRequest): string {
  const quote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;
  const parts = ['curl', '-i', '-X', wire.method, quote(wire.url)];
  for (const [name, value] of Object.entries(wire.headers)) parts.push('-H', quote(`${name}: ${value}`));
  if (wire.body !== undefined) parts.push('--data-raw', quote(wire.body));
  return parts.join(' ');
}
