/**
 * The mock's pipeline is transport-neutral: it reads a request (method, target, headers, body bytes)
 * and gives one answer (status, headers, body). node:http and the Fetch API are two adapters over it
 * (`node-exchange.ts`, `fetch-exchange.ts`), so the server and the in-process handler answer alike.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { HeaderFields } from './cors.js';
import type { BodyResult } from './request-body.js';

/** An answer as it goes out: the serialised body and every header, in one object. */
export interface RenderedReply {
  status: number;
  head: Record<string, string | number>;
  /** Text for JSON and text answers; bytes for images and other binary ones. */
  payload: string | Uint8Array;
}

/** A stream of Server-Sent Events to one client, open until it disconnects or `close` is called. */
export interface EventChannel {
  send(event: string, data: unknown): void;
  close(): void;
  /** Runs once the client has gone. */
  onClose(listener: () => void): void;
}

export interface MockExchange {
  readonly method: string;
  /** The request target: path and query, as in the request line. */
  readonly target: string;
  /** Lowercase names, as node:http gives them; repeated headers joined or listed. */
  readonly headers: IncomingHttpHeaders;
  /** The body, at most `limit` bytes and decoded as strict UTF-8. */
  readBody(limit: number): Promise<BodyResult>;
  /** Drops a body that will not be read (the connection stays usable). */
  discardBody(): void;
  /** The answer given so far, if any: the first answer wins. */
  readonly sent: RenderedReply | undefined;
  /** Answers with JSON (no body for 204/304 or an undefined body). */
  json(status: number, body: unknown, contentType: string, headers?: HeaderFields, cors?: HeaderFields): void;
  /** Answers with a body already serialised (the dashboard's files, a preflight, a non-JSON answer). */
  raw(status: number, head: HeaderFields, payload: string | Uint8Array): void;
  /** Opens a Server-Sent Events stream, where the transport can hold one open. */
  events?(head: HeaderFields): EventChannel;
}

export const SSE_HEAD: HeaderFields = Object.freeze({
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'no-store',
  'X-Accel-Buffering': 'no',
});

/** One Server-Sent Event in its wire form. */
export function sseFrame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}
