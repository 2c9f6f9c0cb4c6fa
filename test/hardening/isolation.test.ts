/**
 * One key never reads or changes another key's state, through the APIs or the admin endpoints;
 * only the admin token reaches across keys.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningMock } from '../../src/mock/server.js';
import { getJson, postJson } from '../helpers/http.js';
import { DEMO_AGENT_ID, featherKey, julepKey, PATHS, startBundledMock } from '../helpers/mock.js';

const ADMIN = { 'x-parley-admin-token': 'isolation-admin' };
const alpha = featherKey('alpha');
const beta = featherKey('beta');
const conversationBody = { end_user_id: '6f1c1f3e-1d55-4d5c-9a43-3f8f0c1a0c02', assistant_id: DEMO_AGENT_ID };

let mock: RunningMock;
let alphaSession: string;
let alphaConversation: string;
/** Alpha's state as the admin sees it, to compare after every attempt by beta. */
let alphaState: string;

const stateOf = async (tenant: string) =>
  JSON.stringify((await getJson(mock.url, `/__parley/state?tenant=${tenant}`, ADMIN)).body);

beforeAll(async () => {
  mock = await startBundledMock({ adminToken: ADMIN['x-parley-admin-token'] });
  alphaSession = (await postJson(mock.url, PATHS.featherSessions, { title: 'alpha only' }, alpha)).body.id;
  await postJson(mock.url, PATHS.featherMessages(alphaSession), { content: 'secret' }, alpha);
  alphaConversation = (await postJson(mock.url, PATHS.featherConversations, conversationBody, alpha)).body.id;
  await postJson(mock.url, PATHS.julepSessions, { agent: DEMO_AGENT_ID }, julepKey('alpha'));
  alphaState = await stateOf('alpha');
  expect(alphaState).toContain(alphaSession);
});

afterAll(() => mock?.close());

describe('another key, through the APIs', () => {
  it("cannot post to alpha's session", async () => {
    const response = await postJson(mock.url, PATHS.featherMessages(alphaSession), { content: 'intrusion' }, beta);
    expect(response.status).toBe(404);
    expect(await stateOf('alpha')).toBe(alphaState);
  });

  it("gets its own conversation for the same get-or-create body, not alpha's", async () => {
    const response = await postJson(mock.url, PATHS.featherConversations, conversationBody, beta);
    expect(response.status).toBe(201);
    expect(response.body.id).not.toBe(alphaConversation);
    expect(await stateOf('alpha')).toBe(alphaState);
  });
});

describe('another key, through the admin endpoints without the token', () => {
  it('GET /__parley/state shows only its own records', async () => {
    const own = await getJson(mock.url, '/__parley/state', beta);
    expect(own.status).toBe(200);
    expect(own.body.tenant).toBe('beta');
    expect(own.text).not.toContain(alphaSession);
    expect(Object.keys(own.body.tenants)).toEqual(['beta']);
    expect((await getJson(mock.url, '/__parley/state?tenant=alpha', beta)).status).toBe(403);
  });

  it('GET /__parley/requests shows only its own requests, admin calls included', async () => {
    await getJson(mock.url, '/__parley/state?tenant=alpha&marker=alpha-admin-call', { ...alpha, ...ADMIN });
    for (const caller of [beta, {}]) {
      const log = await getJson(mock.url, '/__parley/requests', caller);
      expect(log.status).toBe(200);
      expect(log.text).not.toContain('alpha-admin-call');
      expect(log.body.requests.every((entry: { tenant: string }) => entry.tenant !== 'alpha')).toBe(true);
    }
    expect((await getJson(mock.url, '/__parley/requests?tenant=alpha', beta)).status).toBe(403);
  });

  it("POST /__parley/reset resets only the caller's records, and not another key's on request", async () => {
    expect((await postJson(mock.url, '/__parley/reset', {}, beta)).status).toBe(200);
    expect((await postJson(mock.url, '/__parley/reset?tenant=alpha', {}, beta)).status).toBe(403);
    expect(await stateOf('alpha')).toBe(alphaState);
  });

  it("POST /__parley/state seeds the caller's records, even under alpha's ids", async () => {
    const seeded = await postJson(
      mock.url,
      '/__parley/state',
      { 'feather.sessions': { [alphaSession]: { id: alphaSession, title: 'forged', messages: [] } } },
      beta,
    );
    expect(seeded.status).toBe(200);
    expect((await postJson(mock.url, '/__parley/state?tenant=alpha', { x: {} }, beta)).status).toBe(403);
    expect(await stateOf('alpha')).toBe(alphaState);
    expect(mock.app.parts.store.get('beta', 'feather.sessions', alphaSession)?.title).toBe('forged');
  });

  it('cannot move the shared clock or change the shared fixtures', async () => {
    expect((await postJson(mock.url, '/__parley/clock', { advanceMinutes: 60 }, beta)).status).toBe(403);
    expect(
      (
        await postJson(
          mock.url,
          '/__parley/fixtures',
          { agents: [{ id: '00000000-0000-4000-8000-0000000000ff' }] },
          beta,
        )
      ).status,
    ).toBe(403);
    expect(mock.app.parts.clock.offset()).toBe(0);
    expect(mock.app.parts.fixtures.get('agents', '00000000-0000-4000-8000-0000000000ff')).toBeUndefined();
  });

  it('GET /__parley/health does not tell how many records there are', async () => {
    const health = await getJson(mock.url, '/__parley/health', beta);
    expect(health.status).toBe(200);
    expect(health.body.records).toBeUndefined();
  });
});

describe('with the admin token', () => {
  it('reads every key, and resets exactly the key it names', async () => {
    const all = await getJson(mock.url, '/__parley/state', ADMIN);
    expect(Object.keys(all.body.tenants).sort()).toEqual(['alpha', 'beta']);
    expect((await getJson(mock.url, '/__parley/requests?tenant=alpha', ADMIN)).body.requests.length).toBeGreaterThan(0);
    expect((await postJson(mock.url, '/__parley/reset?tenant=beta', {}, ADMIN)).status).toBe(200);
    expect(mock.app.parts.store.list('beta', 'feather.sessions')).toEqual([]);
    expect(await stateOf('alpha')).toBe(alphaState);
  });

  it('a wrong token is no token', async () => {
    expect(
      (await getJson(mock.url, '/__parley/state?tenant=alpha', { ...beta, 'x-parley-admin-token': 'isolation-admiN' }))
        .status,
    ).toBe(403);
  });
});
