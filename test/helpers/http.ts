/** A small JSON client over undici for talking to the mock as a browser or SDK would. */
import type { Readable } from 'node:stream';
import { request, type Dispatcher } from 'undici';

export type Headers = Record<string, string>;

export interface HttpResponse<T = any> {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The parsed JSON body, or undefined when the body is empty or not JSON. */
  body: T;
  text: string;
  /** Milliseconds from sending the request to reading the whole answer. */
  elapsedMs: number;
}

export interface SendOptions {
  /** Sent as JSON with `Content-Type: application/json`. */
  json?: unknown;
  /** Sent as is (e.g. malformed JSON), with whatever Content-Type `headers` give. */
  raw?: string | Buffer | Readable;
  headers?: Headers;
  dispatcher?: Dispatcher;
}

export async function send<T = any>(
  baseUrl: string,
  method: string,
  path: string,
  options: SendOptions = {},
): Promise<HttpResponse<T>> {
  const headers: Headers = { ...options.headers };
  let body: SendOptions['raw'];
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    headers['content-type'] ??= 'application/json';
  } else {
    body = options.raw;
  }
  const started = performance.now();
  const response = await request(new URL(path, baseUrl), {
    method: method as Dispatcher.HttpMethod,
    headers,
    body,
    dispatcher: options.dispatcher,
  });
  const text = await response.body.text();
  return {
    status: response.statusCode,
    headers: response.headers,
    body: parseJson(text),
    text,
    elapsedMs: performance.now() - started,
  };
}

export const postJson = <T = any>(
  baseUrl: string,
  path: string,
  body: unknown,
  headers?: Headers,
  dispatcher?: Dispatcher,
) => send<T>(baseUrl, 'POST', path, { json: body, headers, dispatcher });

export const getJson = <T = any>(baseUrl: string, path: string, headers?: Headers) =>
  send<T>(baseUrl, 'GET', path, { headers });

function parseJson(text: string): any {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
