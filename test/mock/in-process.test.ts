/** The mock with no server: createMockHandler on its own, and through MSW with the Feather flow. */
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMockHandler, type MockHandler } from '../../src/mock/in-process.js';
import { mswHandlers } from '../../src/msw.js';
import { PATHS, SPEC_FILES } from '../helpers/mock.js';

const BASE = 'http://feather.test';
const KEY = { 'x-api-key': 'key-in-process', 'content-type': 'application/json' };

const post = (path: string, body: unknown, headers: Record<string, string> = KEY) =>
  fetch(`${BASE}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });

describe('createMockHandler', () => {
  let mock: MockHandler;
  beforeAll(async () => {
    mock = await createMockHandler([SPEC_FILES.feather], { seed: 7 });
  });

  const call = (path: string, init?: RequestInit) => mock(new Request(`${BASE}${path}`, init));

  it('answers a Fetch Request with the stateful pipeline', async () => {
    const created = await call(PATHS.featherSessions, { method: 'POST', headers: KEY, body: '{}' });
    expect(created.status).toBe(201);
    expect(created.headers.get('content-type')).toMatch(/json/);
    const session = (await created.json()) as { id: string };
    const message = await call(PATHS.featherMessages(session.id), {
      method: 'POST',
      headers: KEY,
      body: '{"content": "hello"}',
    });
    expect(message.status).toBe(200);
    // The state is the handler's own: its store holds the session.
    expect(JSON.stringify(mock.app.parts.store.snapshot('key-in-process'))).toContain(session.id);
  });

  it('answers validation, auth and unknown routes in the API’s error shapes', async () => {
    const invalid = await call(PATHS.featherSessions, { method: 'POST', headers: KEY, body: '{"title": 1}' });
    expect(invalid.status).toBe(422);
    expect(((await invalid.json()) as { detail: unknown[] }).detail.length).toBeGreaterThan(0);
    expect(
      (
        await call(PATHS.featherSessions, {
          method: 'POST',
          body: '{}',
          headers: { 'content-type': 'application/json' },
        })
      ).status,
    ).toBe(401);
    expect((await call('/v1/nowhere', { headers: KEY })).status).toBe(404);
    const broken = await call(PATHS.featherSessions, { method: 'POST', headers: KEY, body: '{oops' });
    expect(broken.status).toBe(422);
  });

  it('bounds the body in bytes: a larger one gets 413 without being read whole', async () => {
    const small = await createMockHandler([SPEC_FILES.feather], { maxBodyBytes: 64 });
    const answer = await small(
      new Request(`${BASE}${PATHS.featherSessions}`, {
        method: 'POST',
        headers: KEY,
        body: JSON.stringify({ title: 'x'.repeat(200) }),
      }),
    );
    expect(answer.status).toBe(413);
  });

  it('serves Prefer examples and the admin endpoints', async () => {
    const preferred = await call(PATHS.featherSessions, {
      method: 'POST',
      headers: { ...KEY, prefer: 'code=201' },
      body: '{}',
    });
    expect(preferred.status).toBe(201);
    const health = await call('/__parley/health');
    expect(((await health.json()) as { status: string }).status).toBe('ok');
  });
});

describe('createMockHandler: the dashboard feed in-process', () => {
  it('streams Server-Sent Events as a Response body: hello, then the requests answered', async () => {
    const mock = await createMockHandler([SPEC_FILES.feather]);
    const events = await mock(new Request(`${BASE}/__parley/events`, { headers: { 'x-api-key': 'key-feed' } }));
    expect(events.status).toBe(200);
    expect(events.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = events.body!.pipeThrough(new TextDecoderStream()).getReader();
    let received = '';
    const readUntil = async (pattern: RegExp) => {
      while (!pattern.test(received)) {
        const { done, value } = await reader.read();
        if (done) throw new Error(`stream ended before ${pattern}: ${received}`);
        received += value;
      }
    };
    await readUntil(/event: hello\ndata: \{"tenant":"key-feed"\}/);
    await mock(
      new Request(`${BASE}${PATHS.featherSessions}`, {
        method: 'POST',
        headers: { 'x-api-key': 'key-feed', 'content-type': 'application/json' },
        body: '{}',
      }),
    );
    // Another key's request is not in this tenant's feed.
    await mock(
      new Request(`${BASE}${PATHS.featherSessions}`, {
        method: 'POST',
        headers: { 'x-api-key': 'key-else', 'content-type': 'application/json' },
        body: '{}',
      }),
    );
    await readUntil(/event: requests\ndata: .*\n\n/);
    const batch = JSON.parse(/event: requests\ndata: (.*)\n/.exec(received)![1]) as {
      tenant: string;
      status: number;
    }[];
    expect(batch).toEqual([
      expect.objectContaining({ tenant: 'key-feed', status: 201, method: 'POST', path: PATHS.featherSessions }),
    ]);
    mock.app.feed.closeAll();
    expect((await reader.read()).done).toBe(true);
  });
});

describe('parley/msw: the Feather flow through fetch, no server', () => {
  let mock: MockHandler;
  const server = setupServer();
  beforeAll(async () => {
    mock = await createMockHandler([SPEC_FILES.feather]);
    server.use(...mswHandlers(mock, { baseUrl: BASE }));
    server.listen({ onUnhandledRequest: 'error' });
  });
  afterAll(() => server.close());

  it('creates a session, sends messages, and gets 404 for an unknown session', async () => {
    const created = await post(PATHS.featherSessions, { title: 'From a unit test' });
    expect(created.status).toBe(201);
    const session = (await created.json()) as { id: string; title: string };
    expect(session.title).toBe('From a unit test');

    for (const content of ['first', 'second']) {
      const sent = await post(PATHS.featherMessages(session.id), { content });
      expect(sent.status, await sent.clone().text()).toBe(200);
    }
    const stored = mock.app.parts.store.snapshot('key-in-process');
    expect(JSON.stringify(stored)).toContain('second');

    const unknown = await post(PATHS.featherMessages('00000000-0000-4000-8000-00000000dead'), { content: 'hello?' });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ detail: expect.any(String) });
  });

  it('partitions state by x-parley-session in-process too', async () => {
    const created = await post(PATHS.featherSessions, {}, { ...KEY, 'x-parley-session': 'worker-1' });
    const { id } = (await created.json()) as { id: string };
    expect(
      (await post(PATHS.featherMessages(id), { content: 'x' }, { ...KEY, 'x-parley-session': 'worker-2' })).status,
    ).toBe(404);
    expect(
      (await post(PATHS.featherMessages(id), { content: 'x' }, { ...KEY, 'x-parley-session': 'worker-1' })).status,
    ).toBe(200);
  });

  it('without a base URL, answers only paths the specs know and lets the rest through', async () => {
    const open = setupServer(...mswHandlers(mock));
    server.close();
    open.listen({ onUnhandledRequest: 'bypass' });
    try {
      expect(
        (await fetch(`http://any-host.test${PATHS.featherSessions}`, { method: 'POST', headers: KEY, body: '{}' }))
          .status,
      ).toBe(201);
      // Not a spec path: MSW lets it through to the network, where this host does not resolve.
      await expect(fetch('http://any-host.invalid/not-in-the-spec')).rejects.toThrow();
    } finally {
      open.close();
      server.listen({ onUnhandledRequest: 'error' });
    }
  });
});
