/**
 * Clients that dribble their headers (slowloris) or never finish their body are cut off after the
 * configured timeouts while everyone else is served; bodies over the limit get 413.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningMock } from '../../src/mock/server.js';
import { postJson, send } from '../helpers/http.js';
import { featherKey, PATHS, startBundledMock } from '../helpers/mock.js';
import { parseResponse, rawRequest } from './raw-http.js';

const HEADERS_TIMEOUT = 500;
const REQUEST_TIMEOUT = 1_000;
const SLOW_CLIENTS = 20;
const MAX_BODY = 4096;

let mock: RunningMock;

beforeAll(async () => {
  mock = await startBundledMock({
    headersTimeoutMs: HEADERS_TIMEOUT,
    requestTimeoutMs: REQUEST_TIMEOUT,
    maxBodyBytes: MAX_BODY,
  });
});

afterAll(() => mock?.close());

interface SlowClient {
  /** Resolves when the server closes the socket: the ms it stayed open and what it answered, if anything. */
  closed: Promise<{ openMs: number; status?: number }>;
}

/** Opens a socket and writes `parts` one every `everyMs`, never finishing unless the server closes first. */
function slowClient(parts: string[], everyMs: number): SlowClient {
  const socket = net.connect(mock.port, '127.0.0.1');
  const started = performance.now();
  const received: Buffer[] = [];
  let next = 0;
  const timer = setInterval(() => {
    if (next < parts.length && socket.writable) socket.write(parts[next++]);
  }, everyMs);
  socket.on('data', (chunk) => received.push(chunk));
  socket.on('error', () => undefined);
  const closed = new Promise<{ openMs: number; status?: number }>((resolve) =>
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ openMs: performance.now() - started, status: parseResponse(Buffer.concat(received))?.status });
    }),
  );
  return { closed };
}

/** A request head sent a character at a time, never reaching its blank line in time. */
const dribbledHead = () => [
  ...`POST ${PATHS.featherSessions} HTTP/1.1\r\nHost: x\r\nx-api-key: slow\r\nX-Padding: ${'p'.repeat(200)}\r\n`,
];

describe('slow and stuck clients', () => {
  it(`slowloris: ${SLOW_CLIENTS} sockets dribbling headers are closed after the headers timeout, others served meanwhile`, async () => {
    const clients = Array.from({ length: SLOW_CLIENTS }, () => slowClient(dribbledHead(), 50));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const served = await postJson(mock.url, PATHS.featherSessions, { title: 'not held up' }, featherKey('fast'));
    expect(served.status).toBe(201);
    expect(served.elapsedMs).toBeLessThan(HEADERS_TIMEOUT);

    const results = await Promise.all(clients.map((client) => client.closed));
    for (const { openMs, status } of results) {
      // Cut off after the timeout, checked every quarter of it; long before the head could finish.
      expect(openMs).toBeGreaterThanOrEqual(HEADERS_TIMEOUT - 50);
      expect(openMs).toBeLessThan(HEADERS_TIMEOUT * 3);
      expect([408, undefined]).toContain(status);
    }
  });

  it(`stuck bodies: ${SLOW_CLIENTS} clients that never finish their body are cut off after the request timeout`, async () => {
    const head = `POST ${PATHS.featherSessions} HTTP/1.1\r\nHost: x\r\nx-api-key: stuck\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n`;
    const clients = Array.from({ length: SLOW_CLIENTS }, () =>
      slowClient([head, '{"title": "never', ' finished'], 100),
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    const served = await postJson(mock.url, PATHS.featherSessions, { title: 'not held up' }, featherKey('fast'));
    expect(served.status).toBe(201);

    const results = await Promise.all(clients.map((client) => client.closed));
    for (const { openMs, status } of results) {
      expect(openMs).toBeGreaterThanOrEqual(REQUEST_TIMEOUT - 50);
      expect(openMs).toBeLessThan(REQUEST_TIMEOUT * 3);
      expect([408, undefined]).toContain(status);
    }
    expect(mock.app.parts.store.list('stuck', 'feather.sessions')).toEqual([]);
  });
});

describe('the body limit', () => {
  const big = JSON.stringify({ title: 'x'.repeat(MAX_BODY) });

  it('a declared body over the limit gets 413 in the API error shape', async () => {
    const response = await send(mock.url, 'POST', PATHS.featherSessions, {
      raw: big,
      headers: { ...featherKey(), 'content-type': 'application/json' },
    });
    expect(response.status).toBe(413);
    expect(typeof response.body.detail).toBe('string');
  });

  it('a chunked body over the limit gets 413 too, cut off at the limit', async () => {
    const chunked = `POST ${PATHS.featherSessions} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nx-api-key: k\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`;
    const body = `${Buffer.byteLength(big).toString(16)}\r\n${big}\r\n0\r\n\r\n`;
    const outcome = await rawRequest(mock.port, { head: chunked, body });
    expect(outcome.response?.status).toBe(413);
    expect(outcome.response?.headers.connection).toBe('close');
  });

  it('a body right at the limit is read', async () => {
    const exact = JSON.stringify({ title: 'x'.repeat(MAX_BODY - 12) });
    expect(Buffer.byteLength(exact)).toBe(MAX_BODY);
    const response = await send(mock.url, 'POST', PATHS.featherSessions, {
      raw: exact,
      headers: { ...featherKey(), 'content-type': 'application/json' },
    });
    expect(response.status).toBe(201);
  });
});
