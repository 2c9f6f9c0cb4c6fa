/**
 * HTTP/1.1 pipelining: several requests written at once on one connection. The mock writes each
 * event-loop turn's answers together; they must still come back complete, one per request, in order.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningMock } from '../../src/mock/server.js';
import { PATHS, startBundledMock } from '../helpers/mock.js';
import { parseResponses, type RawResponse } from './raw-http.js';

let mock: RunningMock;
beforeAll(async () => {
  mock = await startBundledMock();
});
afterAll(() => mock?.close());

function post(path: string, body: string, key = 'pipeline-key'): string {
  return `POST ${path} HTTP/1.1\r\nHost: mock\r\nx-api-key: ${key}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

/** Writes all requests in one go on one connection and reads until `count` answers are in. */
function pipeline(requests: string[]): Promise<RawResponse[]> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(mock.port, '127.0.0.1', () => socket.write(requests.join('')));
    const chunks: Buffer[] = [];
    const timer = setTimeout(
      () => reject(new Error(`only ${parseResponses(Buffer.concat(chunks)).length} of ${requests.length} answers`)),
      10_000,
    );
    socket.on('data', (chunk) => {
      chunks.push(chunk);
      const responses = parseResponses(Buffer.concat(chunks));
      if (responses.length === requests.length) {
        clearTimeout(timer);
        socket.destroy();
        resolve(responses);
      }
    });
    socket.on('error', reject);
  });
}

describe('pipelined requests on one connection', () => {
  it('get one complete answer each, in the order they were sent', async () => {
    const titles = Array.from({ length: 20 }, (_, i) => `pipelined ${i}`);
    const requests = [
      ...titles.map((title) => post(PATHS.featherSessions, JSON.stringify({ title }))),
      post(PATHS.featherSessions, '{"title": '),
      post('/v1/ask-feather/nowhere', '{}'),
      'GET /__parley/health HTTP/1.1\r\nHost: localhost\r\n\r\n',
      post(PATHS.featherSessions, JSON.stringify({ title: 'last' })),
    ];
    const responses = await pipeline(requests);
    expect(responses.map((response) => response.status)).toEqual([...titles.map(() => 201), 422, 404, 200, 201]);
    expect(responses.slice(0, 20).map((response) => response.body.title)).toEqual(titles);
    expect(responses[20].body.detail[0].type).toBe('json_invalid');
    expect(responses[22].body.status).toBe('ok');
    expect(responses[23].body.title).toBe('last');
    expect(mock.app.parts.store.list('pipeline-key', 'feather.sessions')).toHaveLength(21);
  });

  it('answer a valid request before the malformed line that follows it in the same packet', async () => {
    const key = 'pipeline-malformed';
    const responses = await pipeline([
      post(PATHS.featherSessions, JSON.stringify({ title: 'before the garbage' }), key),
      'GARBAGE LINE\r\n\r\n',
    ]);
    expect(responses.map((response) => response.status)).toEqual([201, 400]);
    expect(responses[0].body.title).toBe('before the garbage');
    expect(responses[1].body.error).toBe('bad_request');
    expect(mock.app.parts.store.list(key, 'feather.sessions')).toHaveLength(1);
    // Several valid ones, then the malformed line: every answer still comes, in order.
    const titles = ['one', 'two', 'three'];
    const more = await pipeline([
      ...titles.map((title) => post(PATHS.featherSessions, JSON.stringify({ title }), key)),
      'POST / HTTP/1.1\r\nContent-Length: nope\r\n\r\n',
    ]);
    expect(more.map((response) => response.status)).toEqual([201, 201, 201, 400]);
    expect(more.slice(0, 3).map((response) => response.body.title)).toEqual(titles);
  });
});
