/**
 * Servers with one realistic backend bug each, built as a relay in front of the parley mock: the
 * relay changes what the mock is asked (a lenient validation, a tenant resolved wrongly) or how it
 * answers (slow, a first-call failure, a failing dependency, a changed answer, a dropped connection),
 * and passes everything else through.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';

export interface Incoming {
  method: string;
  path: string;
  /** The parsed JSON body, or undefined. */
  json: any;
  text: string;
  /** Request headers, lowercased, as the relay received them. */
  headers: Record<string, string>;
}

/** What the mock answered, for behaviours that change answers. */
export interface Answer {
  status: number;
  json: any;
  text: string;
}

export interface RelayBehaviour {
  /** The body the backend really validates: a lenient server's reading of what was sent. */
  rewrite?(incoming: Incoming): unknown;
  /** Milliseconds before the answer goes out. */
  delayMs?(incoming: Incoming): number;
  /** An answer of the relay's own instead of the mock's (`reset`: the connection is dropped). `seen`: this exact request came before. */
  answer?(incoming: Incoming, seen: boolean): { status: number; json: unknown } | 'reset' | undefined;
  /** The headers the backend really acts on (e.g. a tenant it resolves wrongly). */
  forwardHeaders?(incoming: Incoming): Record<string, string>;
  /** Changes the mock's answer (e.g. an identity index that leaves out a field). */
  respond?(incoming: Incoming, answer: Answer): { status: number; json: unknown } | undefined;
}

export interface Relay {
  url: string;
  /** Requests received, by "METHOD /path". */
  received: Map<string, number>;
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set(['host', 'connection', 'keep-alive', 'content-length', 'transfer-encoding']);

function parse(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

export async function startRelay(upstream: string, behaviour: RelayBehaviour): Promise<Relay> {
  const seen = new Set<string>();
  const received = new Map<string, number>();
  const timers = new Set<NodeJS.Timeout>();
  const server = http.createServer(async (incomingMessage, outgoing) => {
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of incomingMessage) chunks.push(chunk as Buffer);
      const text = Buffer.concat(chunks).toString();
      const path = new URL(incomingMessage.url ?? '/', 'http://relay.local').pathname;
      const requestHeaders = Object.fromEntries(
        Object.entries(incomingMessage.headers).filter(([name, value]) => !HOP_BY_HOP.has(name) && value !== undefined),
      ) as Record<string, string>;
      const incoming: Incoming = {
        method: incomingMessage.method ?? 'GET',
        path,
        json: parse(text),
        text,
        headers: requestHeaders,
      };
      const key = `${incoming.method} ${incomingMessage.url} ${text}`;
      received.set(`${incoming.method} ${path}`, (received.get(`${incoming.method} ${path}`) ?? 0) + 1);
      const delay = behaviour.delayMs?.(incoming) ?? 0;
      if (delay > 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(() => {
            timers.delete(timer);
            resolve();
          }, delay);
          timers.add(timer);
        });
      }
      const own = behaviour.answer?.(incoming, seen.has(key));
      seen.add(key);
      if (own === 'reset') {
        incomingMessage.socket.destroy();
        return;
      }
      if (own) {
        outgoing.writeHead(own.status, { 'content-type': 'application/json' }).end(JSON.stringify(own.json));
        return;
      }
      const rewritten =
        behaviour.rewrite && incoming.json !== undefined ? JSON.stringify(behaviour.rewrite(incoming)) : text;
      const answered = await request(new URL(incomingMessage.url ?? '/', upstream), {
        method: incoming.method as 'POST',
        headers: behaviour.forwardHeaders?.(incoming) ?? requestHeaders,
        body: rewritten.length > 0 ? rewritten : undefined,
      });
      const contentType = answered.headers['content-type'];
      const answerText = await answered.body.text();
      const changed = behaviour.respond?.(incoming, {
        status: answered.statusCode,
        json: parse(answerText),
        text: answerText,
      });
      if (changed) {
        outgoing.writeHead(changed.status, { 'content-type': 'application/json' }).end(JSON.stringify(changed.json));
        return;
      }
      outgoing
        .writeHead(answered.statusCode, contentType ? { 'content-type': String(contentType) } : {})
        .end(answerText);
    } catch (error) {
      if (!outgoing.headersSent)
        outgoing.writeHead(502, { 'content-type': 'text/plain' }).end(`relay error: ${(error as Error).message}`);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    close: () => {
      for (const timer of timers) clearTimeout(timer);
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** A copy of a Julep session body with `recall_options` changed by `change` (when it has them). */
export function withRecallOptions(body: any, change: (options: Record<string, any>) => Record<string, any>): unknown {
  if (!body || typeof body !== 'object' || !body.recall_options || typeof body.recall_options !== 'object') return body;
  return { ...body, recall_options: change({ ...body.recall_options }) };
}
