/**
 * Deliberately faulty servers for the contract suite to catch. Most faults are a relay in front of
 * the parley mock that corrupts one thing; a few are bare sockets that misbehave at the HTTP level.
 * The fault can be switched between runs (`server.fault = ...`).
 */
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';

export type Fault =
  /** Passes everything through untouched: the healthy control. */
  | 'none'
  /** Success bodies carry `id` / `sessionId` as a number. */
  | 'wrong_field_type'
  /** Success bodies leave out `id` / `sessionId`. */
  | 'missing_required_field'
  /** Rejections of invalid input (400/415/422) become 200s. */
  | 'accepts_invalid_input'
  /** A 500 for any body holding a number of 100 or more. */
  | 'server_error_on_edge_value'
  /** 201s are sent as 200s. */
  | 'wrong_status'
  /** Alternates between two mocks that share no state, like replicas without a shared store. */
  | 'forgets_state'
  /** JSON answers are labelled text/plain. */
  | 'wrong_content_type'
  /** Request errors (400/422) come back as `{detail: "<text>"}`, not the documented error shape. */
  | 'undocumented_error_shape';

export const FAULTS: readonly Exclude<Fault, 'none'>[] = [
  'wrong_field_type',
  'missing_required_field',
  'accepts_invalid_input',
  'server_error_on_edge_value',
  'wrong_status',
  'forgets_state',
  'wrong_content_type',
  'undocumented_error_shape',
];

export interface FaultyServer {
  url: string;
  fault: Fault;
  close(): Promise<void>;
}

interface Answer {
  status: number;
  contentType: string | undefined;
  text: string;
}

const HOP_BY_HOP = new Set(['host', 'connection', 'keep-alive', 'content-length', 'transfer-encoding']);

function hasNumberAtLeast(value: unknown, bound: number): boolean {
  if (typeof value === 'number') return value >= bound;
  if (value && typeof value === 'object') return Object.values(value).some((v) => hasNumberAtLeast(v, bound));
  return false;
}

function parse(text: string): any {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The one corruption each fault makes to an answer the mock gave. */
function corrupt(fault: Fault, answer: Answer): Answer {
  const json = parse(answer.text);
  const ok = answer.status >= 200 && answer.status < 300;
  const idKeys = json && typeof json === 'object' ? ['id', 'sessionId'].filter((key) => key in json) : [];
  switch (fault) {
    case 'wrong_field_type':
      if (!ok || idKeys.length === 0) return answer;
      return { ...answer, text: JSON.stringify({ ...json, [idKeys[0]]: 12345 }) };
    case 'missing_required_field': {
      if (!ok || idKeys.length === 0) return answer;
      const { [idKeys[0]]: _dropped, ...rest } = json;
      return { ...answer, text: JSON.stringify(rest) };
    }
    case 'accepts_invalid_input':
      return [400, 415, 422].includes(answer.status)
        ? { status: 200, contentType: 'application/json', text: '{}' }
        : answer;
    case 'wrong_status':
      return answer.status === 201 ? { ...answer, status: 200 } : answer;
    case 'wrong_content_type':
      return /json/.test(answer.contentType ?? '') ? { ...answer, contentType: 'text/plain' } : answer;
    case 'undocumented_error_shape':
      return answer.status === 400 || answer.status === 422
        ? { ...answer, text: JSON.stringify({ detail: 'invalid request' }) }
        : answer;
    default:
      return answer;
  }
}

/** A relay in front of one mock (two for `forgets_state`) that applies the current fault. */
export async function startFaultyServer(upstreams: [string, string], fault: Fault = 'none'): Promise<FaultyServer> {
  let turn = 0;
  const server = http.createServer(async (incoming, outgoing) => {
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of incoming) chunks.push(chunk as Buffer);
      const body = Buffer.concat(chunks);
      if (handle.fault === 'server_error_on_edge_value' && hasNumberAtLeast(parse(body.toString()), 100)) {
        outgoing.writeHead(500, { 'content-type': 'application/json' }).end('{"detail":"Internal Server Error"}');
        return;
      }
      const upstream = handle.fault === 'forgets_state' ? upstreams[turn++ % 2] : upstreams[0];
      const headers = Object.fromEntries(
        Object.entries(incoming.headers).filter(([name, value]) => !HOP_BY_HOP.has(name) && value !== undefined),
      ) as Record<string, string>;
      const answered = await request(new URL(incoming.url ?? '/', upstream), {
        method: incoming.method as 'POST',
        headers,
        body: body.length > 0 ? body : undefined,
      });
      const contentType = answered.headers['content-type'];
      const answer = corrupt(handle.fault, {
        status: answered.statusCode,
        contentType: contentType === undefined ? undefined : String(contentType),
        text: await answered.body.text(),
      });
      outgoing
        .writeHead(answer.status, answer.contentType ? { 'content-type': answer.contentType } : {})
        .end(answer.text);
    } catch (error) {
      outgoing.writeHead(502, { 'content-type': 'text/plain' }).end(`relay error: ${(error as Error).message}`);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const handle: FaultyServer = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    fault,
    close: () => closeServer(server),
  };
  return handle;
}

/**
 * A TCP server that misbehaves below HTTP: `hang` never answers, `garbage` answers bytes that are
 * not HTTP. Both answer `GET /` (a health probe) with a 404 first; the `-all` variants do not even that.
 */
export type SocketBehaviour = 'hang' | 'hang-all' | 'garbage' | 'garbage-all';

export async function startBrokenSocketServer(
  behaviour: SocketBehaviour,
): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.on('data', (chunk) => {
      if (!behaviour.endsWith('-all') && chunk.toString('latin1').startsWith('GET / '))
        socket.write('HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n');
      else if (behaviour.startsWith('garbage')) socket.end('\u0000\u00ffthis is not HTTP at all\r\n\r\n\u0001\u0002');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

function closeServer(server: http.Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
