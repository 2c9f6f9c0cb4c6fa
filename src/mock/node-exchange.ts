/** The node:http adapter: one request and its response, answered through the batching JSON writer. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HeaderFields } from './cors.js';
import { SSE_HEAD, sseFrame, type EventChannel, type MockExchange, type RenderedReply } from './exchange.js';
import { isAnswered, queueReply, renderJson } from './json-reply.js';
import { readBody, type BodyResult } from './request-body.js';

/** Bytes of events a client may leave unread before its stream is closed. */
const MAX_UNSENT_EVENT_BYTES = 1024 * 1024;

export class NodeExchange implements MockExchange {
  sent: RenderedReply | undefined;

  constructor(
    readonly request: IncomingMessage,
    readonly response: ServerResponse,
  ) {}

  get method(): string {
    return this.request.method ?? 'GET';
  }

  get target(): string {
    return this.request.url ?? '/';
  }

  get headers(): IncomingMessage['headers'] {
    return this.request.headers;
  }

  readBody(limit: number): Promise<BodyResult> {
    return readBody(this.request, limit);
  }

  discardBody(): void {
    this.request.resume();
  }

  json(status: number, body: unknown, contentType: string, headers?: HeaderFields, cors?: HeaderFields): void {
    if (this.sent || isAnswered(this.response)) return;
    this.sent = renderJson(status, body, contentType, headers, cors);
    queueReply(this.response, this.sent);
  }

  raw(status: number, head: HeaderFields, payload: string | Uint8Array): void {
    if (this.sent || isAnswered(this.response)) return;
    this.sent = { status, head: { ...head, 'Content-Length': Buffer.byteLength(payload) }, payload };
    this.response.writeHead(status, this.sent.head);
    this.response.end(payload);
  }

  events(head: HeaderFields): EventChannel {
    const { response } = this;
    this.sent = { status: 200, head: { ...head, ...SSE_HEAD }, payload: '' };
    response.writeHead(200, this.sent.head);
    // A comment line at once, so the client sees the stream open before the first event.
    response.write(': open\n\n');
    return {
      send: (event, data) => {
        if (response.writableEnded) return;
        // A dashboard that stopped reading is dropped rather than buffered without bound; it reconnects.
        if (response.writableLength > MAX_UNSENT_EVENT_BYTES) return void response.end();
        response.write(sseFrame(event, data));
      },
      close: () => response.end(),
      onClose: (listener) => void response.once('close', listener),
    };
  }
}
