/** API keys: required where a spec declares a scheme, restricted by --api-key, and the boundary of each caller's state. */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningMock } from '../../src/mock/server.js';
import { getJson, postJson } from '../helpers/http.js';
import { DEMO_AGENT_ID, featherKey, julepKey, PATHS, startBundledMock } from '../helpers/mock.js';

describe('API keys are required where the spec declares a scheme', () => {
  let mock: RunningMock;
  beforeAll(async () => {
    mock = await startBundledMock();
  });
  afterAll(() => mock?.close());

  it('Feather sessions: 401 in FastAPI shape without x-api-key', async () => {
    const response = await postJson(mock.url, PATHS.featherSessions, {});
    expect(response.status).toBe(401);
    expect(response.body).toEqual({ detail: expect.stringMatching(/x-api-key/) });
  });

  it('Feather v2 conversations: 401 in the documented ErrorResponse shape', async () => {
    const response = await postJson(mock.url, PATHS.featherConversations, {
      end_user_id: randomUUID(),
      assistant_id: randomUUID(),
    });
    expect(response.status).toBe(401);
    expect(response.body).toEqual({ error: expect.any(String), message: expect.any(String) });
  });

  it('an empty key counts as no key', async () => {
    expect((await postJson(mock.url, PATHS.featherSessions, {}, { 'x-api-key': '' })).status).toBe(401);
    expect((await postJson(mock.url, PATHS.julepSessions, {}, { authorization: 'Bearer ' })).status).toBe(401);
  });

  it('Julep: 401 without Authorization, 201 with it', async () => {
    const missing = await postJson(mock.url, PATHS.julepSessions, {});
    expect(missing.status).toBe(401);
    expect(missing.body).toEqual({ detail: expect.any(String) });
    expect((await postJson(mock.url, PATHS.julepSessions, {}, julepKey())).status).toBe(201);
  });

  it('checks the key before the body: a bad body without a key is still 401', async () => {
    expect((await postJson(mock.url, PATHS.featherSessions, { title: 42 })).status).toBe(401);
  });

  it('ElizaOS declares no scheme and needs no key', async () => {
    expect(
      (await postJson(mock.url, PATHS.elizaSessions, { agentId: DEMO_AGENT_ID, userId: randomUUID() })).status,
    ).toBe(201);
  });

  it('accepts any non-empty key when none are configured', async () => {
    expect((await postJson(mock.url, PATHS.featherSessions, {}, featherKey(randomUUID()))).status).toBe(201);
  });
});

describe('--api-key restricts the accepted keys', () => {
  let mock: RunningMock;
  beforeAll(async () => {
    mock = await startBundledMock({ apiKeys: ['good-1', 'good-2'] });
  });
  afterAll(() => mock?.close());

  it('rejects a key outside the list with 401', async () => {
    const feather = await postJson(
      mock.url,
      PATHS.featherConversations,
      { end_user_id: randomUUID(), assistant_id: randomUUID() },
      featherKey('bad'),
    );
    expect(feather.status).toBe(401);
    expect(feather.body).toEqual({ error: expect.any(String), message: expect.stringMatching(/key/i) });
    expect((await postJson(mock.url, PATHS.julepSessions, {}, julepKey('bad'))).status).toBe(401);
  });

  it('accepts every listed key, for each API', async () => {
    expect((await postJson(mock.url, PATHS.featherSessions, {}, featherKey('good-1'))).status).toBe(201);
    expect((await postJson(mock.url, PATHS.featherSessions, {}, featherKey('good-2'))).status).toBe(201);
    expect((await postJson(mock.url, PATHS.julepSessions, {}, julepKey('good-2'))).status).toBe(201);
  });
});

describe('state is scoped by key', () => {
  let mock: RunningMock;
  beforeAll(async () => {
    mock = await startBundledMock();
  });
  afterAll(() => mock?.close());

  it("one key cannot post to another key's Feather session", async () => {
    const session = (await postJson(mock.url, PATHS.featherSessions, {}, featherKey('tenant-a'))).body;
    expect(
      (await postJson(mock.url, PATHS.featherMessages(session.id), { content: 'mine' }, featherKey('tenant-a'))).status,
    ).toBe(200);
    expect(
      (await postJson(mock.url, PATHS.featherMessages(session.id), { content: 'theirs' }, featherKey('tenant-b')))
        .status,
    ).toBe(404);
  });

  it('the same get-or-create request under two keys gives two conversations in two organizations', async () => {
    const body = { end_user_id: randomUUID(), assistant_id: randomUUID() };
    const a = (await postJson(mock.url, PATHS.featherConversations, body, featherKey('tenant-a'))).body;
    const b = (await postJson(mock.url, PATHS.featherConversations, body, featherKey('tenant-b'))).body;
    expect(a.id).not.toBe(b.id);
    expect(a.organization_id).not.toBe(b.organization_id);
    expect((await postJson(mock.url, PATHS.featherConversations, body, featherKey('tenant-a'))).body.id).toBe(a.id);
  });

  it("the admin state shows a key only its own records, and refuses another's without the admin token", async () => {
    const own = (await postJson(mock.url, PATHS.featherSessions, { title: 'only-c' }, featherKey('tenant-c'))).body;
    const forC = await getJson(mock.url, '/__parley/state', featherKey('tenant-c'));
    expect(Object.keys(forC.body.tenants)).toEqual(['tenant-c']);
    expect(forC.body.tenants['tenant-c']['feather.sessions'][own.id]).toBeDefined();
    const forD = await getJson(mock.url, '/__parley/state', featherKey('tenant-d'));
    expect(JSON.stringify(forD.body)).not.toContain(own.id);
    expect((await getJson(mock.url, '/__parley/state?tenant=tenant-c', featherKey('tenant-d'))).status).toBe(403);
  });

  it('the request log shows a key only its own requests', async () => {
    await postJson(mock.url, PATHS.featherSessions, {}, featherKey('tenant-log-a'));
    await postJson(mock.url, PATHS.featherSessions, {}, featherKey('tenant-log-b'));
    const log = await getJson(mock.url, '/__parley/requests', featherKey('tenant-log-a'));
    expect(log.body.requests).toHaveLength(1);
    expect(log.body.requests[0].tenant).toBe('tenant-log-a');
  });

  it('the same key through x-api-key and a Bearer Authorization is one tenant', async () => {
    const session = (await postJson(mock.url, PATHS.julepSessions, {}, julepKey('tenant-e'))).body;
    const state = await getJson(mock.url, '/__parley/state', featherKey('tenant-e'));
    expect(state.body.tenants['tenant-e']['julep.sessions'][session.id]).toBeDefined();
  });
});
