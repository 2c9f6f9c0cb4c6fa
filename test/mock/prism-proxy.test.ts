/**
 * An independent opinion on the mock's answers: Stoplight Prism as a validating proxy in front of it.
 * With --errors, Prism turns a response that breaks the spec into a 500 problem (type …#VIOLATIONS)
 * and lists every violation, warnings included, in the `sl-violations` header.
 */
import type { ChildProcess } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningMock } from '../../src/mock/server.js';
import { send, type HttpResponse } from '../helpers/http.js';
import { featherKey, PATHS, ROOT, SPEC_FILES, startBundledMock, UUID } from '../helpers/mock.js';
import { freePort, spawnUntil, stopProcess } from '../helpers/processes.js';

const PRISM = path.join(ROOT, 'node_modules/.bin/prism');
const BREAK_HEADER = 'x-test-break-response';

interface Violation {
  location: string[];
  severity: string;
  message: string;
}

const violationsOf = (response: HttpResponse): Violation[] =>
  response.headers['sl-violations'] ? JSON.parse(String(response.headers['sl-violations'])) : [];
const responseViolations = (response: HttpResponse) =>
  violationsOf(response).filter((v) => v.location[0] === 'response');

/**
 * Passes requests through to the mock untouched, except that it corrupts the answer when asked by a
 * header: the control case that shows Prism does catch a broken response here.
 */
function startRelay(target: string): Promise<http.Server> {
  const forwarded = ['content-type', 'x-api-key', 'authorization', 'prefer'];
  const relay = http.createServer(async (incoming, outgoing) => {
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
    const headers = Object.fromEntries(
      forwarded.filter((name) => incoming.headers[name]).map((name) => [name, String(incoming.headers[name])]),
    );
    const answer = await request(new URL(incoming.url ?? '/', target), {
      method: incoming.method as 'POST',
      headers,
      body: chunks.length > 0 ? Buffer.concat(chunks) : undefined,
    });
    let text = await answer.body.text();
    if (incoming.headers[BREAK_HEADER]) text = JSON.stringify({ ...JSON.parse(text), id: 'not-a-uuid', status: 7 });
    outgoing.writeHead(answer.statusCode, {
      'content-type': String(answer.headers['content-type'] ?? 'application/json'),
    });
    outgoing.end(text);
  });
  return new Promise((resolve) => relay.listen(0, '127.0.0.1', () => resolve(relay)));
}

describe('Stoplight Prism (proxy --errors) in front of the mock, Feather spec', () => {
  let mock: RunningMock;
  let relay: http.Server;
  let prism: ChildProcess;
  let prismUrl: string;

  beforeAll(async () => {
    mock = await startBundledMock();
    relay = await startRelay(mock.url);
    const port = await freePort();
    const upstream = `http://127.0.0.1:${(relay.address() as AddressInfo).port}`;
    const started = await spawnUntil(
      PRISM,
      ['proxy', '-h', '127.0.0.1', '-p', String(port), SPEC_FILES.feather, upstream, '--errors'],
      /Prism is listening on (http:\/\/\S+)/,
      45_000,
    );
    prism = started.child;
    prismUrl = `http://127.0.0.1:${port}`;
  }, 60_000);

  afterAll(async () => {
    if (prism) await stopProcess(prism);
    await new Promise((resolve) => relay?.close(resolve));
    await mock?.close();
  });

  const viaPrism = (path: string, json: unknown, headers: Record<string, string> = featherKey('prism')) =>
    send(prismUrl, 'POST', path, { json, headers });

  it('flags a broken response (control: the check below can fail)', async () => {
    const response = await viaPrism(PATHS.featherSessions, {}, { ...featherKey('prism'), [BREAK_HEADER]: '1' });
    expect(response.status).toBe(500);
    expect(response.body.type).toMatch(/VIOLATIONS/);
    expect(responseViolations(response).length).toBeGreaterThan(0);
  });

  it('finds no violation in a created session', async () => {
    const response = await viaPrism(PATHS.featherSessions, { title: 'through prism' });
    expect(response.status, response.text).toBe(201);
    expect(violationsOf(response)).toEqual([]);
    expect(response.body).toMatchObject({ id: expect.stringMatching(UUID), title: 'through prism', status: 'active' });
  });

  it('finds no violation in a message and its reply', async () => {
    const session = (await viaPrism(PATHS.featherSessions, {})).body;
    const response = await viaPrism(PATHS.featherMessages(session.id), { content: 'hello via prism' });
    expect(response.status, response.text).toBe(200);
    expect(violationsOf(response)).toEqual([]);
    expect(response.body.reply.role).toBe('assistant');
  });

  it('finds no violation in get-or-create conversations, nor in the 400 for a bad binding', async () => {
    const body = { end_user_id: randomUUID(), assistant_id: randomUUID() };
    const first = await viaPrism(PATHS.featherConversations, body);
    expect(first.status, first.text).toBe(201);
    expect(violationsOf(first)).toEqual([]);
    expect((await viaPrism(PATHS.featherConversations, body)).body.id).toBe(first.body.id);
    const unbound = await viaPrism(PATHS.featherConversations, { end_user_id: randomUUID() });
    expect(unbound.status, unbound.text).toBe(400);
    expect(violationsOf(unbound)).toEqual([]);
  });

  it('lets an undocumented 404 through with only a warning about its status', async () => {
    const response = await viaPrism(PATHS.featherMessages(randomUUID()), { content: 'nobody home' });
    expect(response.status).toBe(404);
    expect(response.body).toEqual({ detail: expect.any(String) });
    expect(responseViolations(response).filter((v) => v.severity === 'Error')).toEqual([]);
  });
});
