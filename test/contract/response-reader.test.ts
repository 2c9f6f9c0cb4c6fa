/**
 * The contract client's response reading through HTTP: repeated headers joined, a header named
 * `__proto__` kept as a plain entry, the byte cap and the deadline as transport failures.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TargetClient } from '../../src/contract/http.js';

describe('TargetClient responses', () => {
  let server: http.Server;
  let base: string;

  beforeAll(async () => {
    server = http.createServer((request, response) => {
      if (request.url === '/headers') {
        response.writeHead(200, [
          ['Content-Type', 'application/json'],
          ['X-Repeated', 'one'],
          ['X-Repeated', 'two'],
          ['__proto__', 'polluted'],
        ]);
        response.end('{"ok":true}');
      } else if (request.url === '/large') {
        response.writeHead(200, { 'Content-Type': 'text/plain' });
        response.end('x'.repeat(10_000));
      } else if (request.url === '/silent') {
        response.writeHead(200, { 'Content-Type': 'text/plain' });
        response.write('started');
        // Never ends: the client's deadline has to.
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('joins repeated headers and keeps a header named __proto__ as an entry', async () => {
    const client = new TargetClient(base, 5_000, 2);
    try {
      const sent = await client.send({ method: 'GET', url: `${base}/headers`, headers: {} });
      if (!('response' in sent)) throw new Error(sent.transportError);
      expect(sent.response.status).toBe(200);
      expect(sent.response.json).toEqual({ ok: true });
      expect(sent.response.headers['x-repeated']).toBe('one, two');
      expect(Object.hasOwn(sent.response.headers, '__proto__')).toBe(true);
      expect(Object.getPrototypeOf(sent.response.headers)).toBe(Object.prototype);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    } finally {
      await client.close();
    }
  });

  it('a body past the cap is a transport failure naming the cap', async () => {
    const client = new TargetClient(base, 5_000, 2, { maxResponseBytes: 1_000 });
    try {
      const sent = await client.send({ method: 'GET', url: `${base}/large`, headers: {} });
      expect(sent).toEqual({ transportError: expect.stringContaining('larger than 1000 bytes') });
    } finally {
      await client.close();
    }
  });

  it('an answer that never completes is cut at the deadline', async () => {
    const client = new TargetClient(base, 300, 2);
    try {
      const started = performance.now();
      const sent = await client.send({ method: 'GET', url: `${base}/silent`, headers: {} });
      expect(sent).toEqual({ transportError: 'no complete response within 300 ms' });
      // A generous guard: the deadline, not undici's own one-second ticks or the 10 s default.
      expect(performance.now() - started).toBeLessThan(5_000);
    } finally {
      await client.close();
    }
  });
});
