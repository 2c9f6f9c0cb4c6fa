/** The Fetch adapter: a `Request` in, a `Response` out, with no socket (in-process tests, MSW). */
import type { IncomingHttpHeaders } from 'node:http';
import type { HeaderFields } from './cors.js';
import { SSE_HEAD, sseFrame, type EventChannel, type MockExchange, type RenderedReply } from './exchange.js';
import { renderJson } from './json-reply.js';
import { readFetchBody, type BodyResult } from './request-body.js';

export class FetchExchange implements MockExchange {
  sent: RenderedReply | undefined;
  readonly method: string;
  readonly target: string;
  readonly headers: IncomingHttpHeaders;
  private stream: ReadableStream<Uint8Array> | undefined;

  constructor(private readonly request: Request) {
    const url = new URL(request.url);
    this.method = request.method.toUpperCase();
    this.target = url.pathname + url.search;
    // Header names from outside: a null-prototype object, as node:http gives them.
    const headers: IncomingHttpHeaders = Object.create(null);
    request.headers.forEach((value, name) => {
      headers[name] = value;
    });
    this.headers = headers;
  }

  readBody(limit: number): Promise<BodyResult> {
    return readFetchBody(this.request, limit);
  }

  discardBody(): void {
    void this.request.body?.cancel().catch(() => undefined);
  }

  json(status: number, body: unknown, contentType: string, headers?: HeaderFields, cors?: HeaderFields): void {
    this.sent ??= renderJson(status, body, contentType, headers, cors);
  }

  raw(status: number, head: HeaderFields, payload: string | Uint8Array): void {
    this.sent ??= { status, head: { ...head }, payload };
  }

  events(head: HeaderFields): EventChannel {
    const encoder = new TextEncoder();
    let controller!: ReadableStreamDefaultController<Uint8Array>;
    const closeListeners: (() => void)[] = [];
    let open = true;
    const closed = () => {
      if (!open) return;
      open = false;
      for (const listener of closeListeners) listener();
    };
    this.stream = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c), cancel: closed });
    this.sent = { status: 200, head: { ...head, ...SSE_HEAD }, payload: '' };
    return {
      send: (event, data) => void (open && controller.enqueue(encoder.encode(sseFrame(event, data)))),
      close: () => {
        if (open) controller.close();
        closed();
      },
      onClose: (listener) => void closeListeners.push(listener),
    };
  }

  /** The answer as a Fetch `Response` (a 500 if the pipeline gave none, which would be a bug). */
  toResponse(): Response {
    const sent =
      this.sent ?? renderJson(500, { error: 'internal_error', message: 'The mock gave no answer' }, 'application/json');
    const headers = new Headers();
    for (const [name, value] of Object.entries(sent.head)) {
      // The Response measures its own body.
      if (name.toLowerCase() !== 'content-length') headers.set(name, String(value));
    }
    const empty = sent.payload.length === 0 || sent.status === 204 || sent.status === 304;
    const body =
      this.stream ??
      (empty
        ? null
        : typeof sent.payload === 'string'
          ? sent.payload
          : new Blob([sent.payload as Uint8Array<ArrayBuffer>]));
    return new Response(body, { status: sent.status, headers });
  }
}
