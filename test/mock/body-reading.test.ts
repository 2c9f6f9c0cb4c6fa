/**
 * Request bodies over node:http however they arrive: with their headers in one packet (taken whole
 * from the stream's buffer), in pieces after them (read as they come), cut off half way (logged,
 * the mock serving on), pipelined, or in UTF-8 split across pieces.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningMock } from '../../src/mock/server.js';
import { parseResponses } from '../hardening/raw-http.js';
import { PATHS, startBundledMock } from '../helpers/mock.js';

const KEY = 'body-key';

let mock: RunningMock;
beforeAll(async () => {
  mock = await startBundledMock({ apiKeys: [KEY] });
});
afterAll(() => mock.close());

const head = (body: Buffer, path: string = PATHS.featherSessions) =>
  `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nx-api-key: ${KEY}\r\nContent-Length: ${body.length}\r\n\r\n`;

/** Writes each piece `gapMs` after the last (0: all in one write), then reads until `answers` answers are in. */
function send(pieces: (string | Buffer)[], gapMs: number, answers = 1): Promise<ReturnType<typeof parseResponses>> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(mock.port, '127.0.0.1');
    const received: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within 5 s; got: ${Buffer.concat(received).toString('latin1')}`));
    }, 5_000);
    socket.on('data', (chunk) => {
      received.push(chunk);
      const parsed = parseResponses(Buffer.concat(received));
      if (parsed.length >= answers) {
        clearTimeout(timer);
        socket.destroy();
        resolve(parsed);
      }
    });
    socket.on('error', reject);
    socket.on('connect', async () => {
      if (gapMs === 0) return void socket.write(Buffer.concat(pieces.map((piece) => Buffer.from(piece))));
      for (const piece of pieces) {
        socket.write(piece);
        await new Promise((wait) => setTimeout(wait, gapMs));
      }
    });
  });
}

const titled = (title: string) => Buffer.from(JSON.stringify({ title }));

describe('request bodies over node:http', () => {
  it('reads a body sent in the same packet as its headers', async () => {
    const body = titled('one packet');
    const [answer] = await send([head(body), body], 0);
    expect(answer.status).toBe(201);
    expect(answer.body.title).toBe('one packet');
  });

  it('reads a body that arrives in pieces after its headers, a UTF-8 character split between two', async () => {
    const body = titled('in pieces: naïve ☃');
    const cut = body.indexOf(Buffer.from('☃')) + 1;
    const [answer] = await send([head(body), body.subarray(0, 5), body.subarray(5, cut), body.subarray(cut)], 40);
    expect(answer.status).toBe(201);
    expect(answer.body.title).toBe('in pieces: naïve ☃');
  });

  it('answers pipelined requests with bodies, in order, each with its own body', async () => {
    const bodies = ['first', 'second', 'third'].map(titled);
    const answers = await send(
      bodies.flatMap((body) => [head(body), body]),
      0,
      3,
    );
    expect(answers.map((answer) => [answer.status, answer.body.title])).toEqual([
      [201, 'first'],
      [201, 'second'],
      [201, 'third'],
    ]);
  });

  it('refuses a body of invalid UTF-8 alike whether it came in one packet or in pieces', async () => {
    const body = Buffer.concat([Buffer.from('{"title":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
    const [whole] = await send([head(body), body], 0);
    const [pieces] = await send([head(body), body.subarray(0, 4), body.subarray(4)], 30);
    expect(whole.status).toBe(422);
    expect(JSON.stringify(whole.body)).toMatch(/UTF-8/);
    expect([pieces.status, pieces.body]).toEqual([whole.status, whole.body]);
  });

  it('logs a request whose client goes away half way through its body, and serves the next', async () => {
    const path = `${PATHS.featherSessions}?cut=half`;
    const body = titled('never finished');
    await new Promise<void>((resolve, reject) => {
      const socket = net.connect(mock.port, '127.0.0.1', () => {
        socket.write(head(body, path));
        socket.write(body.subarray(0, 8));
        setTimeout(() => {
          socket.destroy();
          resolve();
        }, 50);
      });
      socket.on('error', reject);
    });
    let logged: { path: string; method: string }[] = [];
    for (let attempt = 0; attempt < 50 && !logged.some((entry) => entry.path === path); attempt++) {
      await new Promise((wait) => setTimeout(wait, 20));
      const answer = await fetch(`${mock.url}/__parley/requests`, { headers: { 'x-api-key': KEY } });
      logged = ((await answer.json()) as { requests: typeof logged }).requests;
    }
    expect(logged.filter((entry) => entry.path === path)).toHaveLength(1);
    const after = titled('after the cut');
    const [next] = await send([head(after), after], 0);
    expect(next.body.title).toBe('after the cut');
  });
});
