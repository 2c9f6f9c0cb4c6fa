/**
 * Names from outside that are also names of Object.prototype (`__proto__`, `constructor`, `toString`,
 * `valueOf`, `hasOwnProperty`) are plain data at every entry point: API keys, request bodies of every
 * bundled operation, collection names and record ids seeded through the admin API, fixtures, the
 * state file and the request log. After each attempt Object.prototype is untouched, the names keep
 * their records, and a bystander tenant's state and answers are as before.
 */
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningMock } from '../../src/mock/server.js';
import { getJson, postJson, send, type Headers } from '../helpers/http.js';
import { DEMO_AGENT_ID, featherKey, julepKey, PATHS, startBundledMock } from '../helpers/mock.js';

const HOSTILE_NAMES = ['__proto__', 'constructor', 'toString', 'valueOf', 'hasOwnProperty'] as const;
const USER = '6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f';
const ASSISTANT = '1b2c3d4e-5f60-4718-8293-a4b5c6d7e8f9';
const PROTOTYPE_KEYS = Object.getOwnPropertyNames(Object.prototype).sort();

const bystander = featherKey('bystander');
let mock: RunningMock;
let bystanderState: string;

const raw = (pathname: string, text: string, headers: Headers) =>
  send(mock.url, 'POST', pathname, { raw: text, headers: { 'content-type': 'application/json', ...headers } });
const stateOf = async (headers: Headers) => (await getJson(mock.url, '/__parley/state', headers)).body;

/** What must hold after every attempt: nothing reached Object.prototype, and the bystander is untouched and served as usual. */
async function expectNoHarm(): Promise<void> {
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(PROTOTYPE_KEYS);
  const probe: Record<string, unknown> = {};
  for (const name of ['title', 'owned', 'assistant_id', 'session_type', 'users', 'timeoutMinutes', 'metadata', 'x'])
    expect(probe[name]).toBeUndefined();
  expect(JSON.stringify(await stateOf(bystander))).toBe(bystanderState);
  const fresh = await postJson(mock.url, PATHS.featherSessions, {}, featherKey('fresh'));
  expect(fresh.status, fresh.text).toBe(201);
  expect(fresh.body.title).toBeNull();
  const eliza = await postJson(mock.url, PATHS.elizaSessions, { agentId: DEMO_AGENT_ID, userId: USER });
  expect(eliza.status, eliza.text).toBe(201);
  expect(eliza.body.metadata).toEqual({});
  expect(eliza.body.timeoutConfig.timeoutMinutes).toBe(30);
  const conversation = await postJson(
    mock.url,
    PATHS.featherConversations,
    { end_user_id: USER, assistant_id: ASSISTANT },
    featherKey('fresh'),
  );
  expect(conversation.status, conversation.text).toBe(201);
  expect(conversation.body.session_type).toBe('live');
}

beforeAll(async () => {
  mock = await startBundledMock({ seed: 3 });
  const session = await postJson(mock.url, PATHS.featherSessions, { title: 'bystander' }, bystander);
  await postJson(mock.url, PATHS.featherMessages(session.body.id), { content: 'hello' }, bystander);
  bystanderState = JSON.stringify(await stateOf(bystander));
});
afterAll(() => mock?.close());

describe('API keys named like Object.prototype members', () => {
  it.each(HOSTILE_NAMES)(
    '%s is a tenant of its own through all five operations, and admin state reads show its records',
    async (name) => {
      const key = featherKey(name);
      const session = await postJson(mock.url, PATHS.featherSessions, { title: `${name} session` }, key);
      expect(session.status, session.text).toBe(201);
      expect((await postJson(mock.url, PATHS.featherMessages(session.body.id), { content: 'hi' }, key)).status).toBe(
        200,
      );
      expect(
        (await postJson(mock.url, PATHS.featherConversations, { end_user_id: USER, assistant_id: ASSISTANT }, key))
          .status,
      ).toBe(201);
      expect((await postJson(mock.url, PATHS.julepSessions, { agent: ASSISTANT }, julepKey(name))).status).toBe(201);

      const state = await stateOf(key);
      expect(state.tenant).toBe(name);
      expect(Object.keys(state.tenants)).toEqual([name]);
      expect(Object.keys(state.tenants[name]).sort()).toEqual([
        'feather.conversations',
        'feather.sessions',
        'julep.sessions',
      ]);
      expect(state.tenants[name]['feather.sessions'][session.body.id].messages).toHaveLength(2);
      expect(Object.keys(state.indexes[name])).toHaveLength(1);

      const log = (await getJson(mock.url, '/__parley/requests', key)).body.requests;
      expect(log.length).toBeGreaterThanOrEqual(3);
      expect(log.every((entry: { tenant: string }) => entry.tenant === name)).toBe(true);

      expect((await postJson(mock.url, '/__parley/reset', {}, key)).status).toBe(200);
      expect(Object.keys((await stateOf(key)).tenants)).toEqual([]);
      await expectNoHarm();
    },
  );

  it('the attack from the report: seeding a nested object through a tenant named __proto__, then reading it', async () => {
    const key = featherKey('__proto__');
    const seeded = await postJson(mock.url, '/__parley/state', { title: { x: { owned: true } } }, key);
    expect(seeded.status, seeded.text).toBe(200);
    const state = await stateOf(key);
    expect(state.tenants.__proto__.title.x).toEqual({ owned: true });
    await expectNoHarm();
  });
});

describe('request bodies with __proto__ and constructor keys', () => {
  const key = featherKey('bodies');
  it('Feather v2: __proto__ cannot supply the binding or session_type', async () => {
    const binding = await raw(
      PATHS.featherConversations,
      `{"end_user_id":"${USER}","__proto__":{"assistant_id":"${ASSISTANT}"}}`,
      key,
    );
    expect(binding.status, binding.text).toBe(400);
    expect(binding.body.error).toBe('invalid_binding');
    const typed = await raw(
      PATHS.featherConversations,
      `{"end_user_id":"${USER}","assistant_id":"${ASSISTANT}","__proto__":{"session_type":"bogus"}}`,
      key,
    );
    expect(typed.status, typed.text).toBeLessThan(500);
    if (typed.status === 201) expect(typed.body.session_type).toBe('live');
    const numeric = await raw(
      PATHS.featherConversations,
      `{"end_user_id":"${USER}","__proto__":{"assistant_id":5}}`,
      key,
    );
    expect(numeric.status, numeric.text).toBe(400);
    await expectNoHarm();
  });

  it('Feather sessions and messages: __proto__ and constructor keys are ignored data', async () => {
    const session = await raw(
      PATHS.featherSessions,
      '{"__proto__":{"title":"from the prototype"},"constructor":{"prototype":{"owned":true}}}',
      key,
    );
    expect(session.status, session.text).toBe(201);
    expect(session.body.title).toBeNull();
    const message = await raw(
      PATHS.featherMessages(session.body.id),
      '{"content":"hi","__proto__":{"workflow":"injected"}}',
      key,
    );
    expect(message.status, message.text).toBe(200);
    expect(message.body.message.workflow).toBeNull();
    await expectNoHarm();
  });

  it('Julep: __proto__ cannot add participants or defaults', async () => {
    const session = await raw(
      PATHS.julepSessions,
      `{"agent":"${ASSISTANT}","__proto__":{"users":{},"render_templates":false}}`,
      julepKey('bodies'),
    );
    expect(session.status, session.text).toBe(201);
    expect(session.body.render_templates).toBe(true);
    await expectNoHarm();
  });

  it('ElizaOS: timeoutConfig.__proto__ cannot replace the defaults', async () => {
    const body = `{"agentId":"${DEMO_AGENT_ID}","userId":"${USER}","metadata":{"__proto__":{"a":1}},"timeoutConfig":{"__proto__":{"timeoutMinutes":"x"}}}`;
    const session = await raw(PATHS.elizaSessions, body, {});
    expect(session.status, session.text).toBe(201);
    expect(session.body.timeoutConfig.timeoutMinutes).toBe(30);
    expect(Date.parse(session.body.expiresAt) - Date.parse(session.body.createdAt)).toBe(30 * 60_000);
    await expectNoHarm();
  });
});

describe('admin seeds, fixtures and the state file', () => {
  it('collections and ids named like Object.prototype members keep their records in state reads', async () => {
    const key = featherKey('seeder');
    const records = Object.fromEntries(HOSTILE_NAMES.map((name) => [name, { name }]));
    const seed = `{${HOSTILE_NAMES.map((collection) => `"${collection}":${JSON.stringify(records).replace('{', '{"__proto__":{"name":"__proto__"},')}`).join(',')}}`;
    const seeded = await raw('/__parley/state', seed, key);
    expect(seeded.status, seeded.text).toBe(200);
    expect(seeded.body.seeded).toBe(HOSTILE_NAMES.length * HOSTILE_NAMES.length);
    const state = await stateOf(key);
    expect(Object.keys(state.tenants.seeder).sort()).toEqual([...HOSTILE_NAMES].sort());
    for (const collection of HOSTILE_NAMES) {
      expect(Object.keys(state.tenants.seeder[collection]).sort()).toEqual([...HOSTILE_NAMES].sort());
      expect(state.tenants.seeder[collection].valueOf).toEqual({ name: 'valueOf' });
    }
    await expectNoHarm();
  });

  it("a collection named like another tenant's key stays in its own tenant, through a save and a restart", async () => {
    const stateFile = path.join(await mkdtemp(path.join(os.tmpdir(), 'parley-pollution-')), 'state.jsonl');
    const first = await startBundledMock({ stateFile, adminToken: 'pollution-admin' });
    const admin = { 'x-parley-admin-token': 'pollution-admin' };
    try {
      const session = await postJson(
        first.url,
        PATHS.featherSessions,
        { title: 'alice owns this' },
        featherKey('alice'),
      );
      expect(session.status).toBe(201);
      // mallory names collections after alice's key, and after the separator-joined forms a store might build.
      const seed = {
        alice: { x: { by: 'mallory' } },
        'alice\u0000feather.sessions': { y: { by: 'mallory' } },
        'feather.sessions': { [session.body.id]: { by: 'mallory' } },
      };
      expect((await postJson(first.url, '/__parley/state', seed, featherKey('mallory'))).status).toBe(200);
      const before = (await getJson(first.url, '/__parley/state', admin)).body;
      expect(before.tenants.alice['feather.sessions'][session.body.id].title).toBe('alice owns this');
      await first.close();
      const second = await startBundledMock({ stateFile, adminToken: 'pollution-admin' });
      try {
        const after = (await getJson(second.url, '/__parley/state', admin)).body;
        expect(after).toEqual(before);
        expect(Object.keys(after.tenants.alice)).toEqual(['feather.sessions']);
        expect(Object.keys(after.tenants.mallory).sort()).toEqual([
          'alice',
          'alice\u0000feather.sessions',
          'feather.sessions',
        ]);
        const message = await postJson(
          second.url,
          PATHS.featherMessages(session.body.id),
          { content: 'mine' },
          featherKey('alice'),
        );
        expect(message.status, message.text).toBe(200);
      } finally {
        await second.close();
      }
    } finally {
      await first.close().catch(() => undefined);
    }
    await expectNoHarm();
  });

  it('fixtures with __proto__ keys add agents and nothing else', async () => {
    const agent = '00000000-0000-4000-8000-0000000000f1';
    const added = await raw(
      '/__parley/fixtures',
      `{"__proto__":{"agents":[]},"agents":[{"id":"${agent}","__proto__":{"name":"owned"}}]}`,
      {},
    );
    expect(added.status, added.text).toBe(200);
    const listed = added.body.agents.find((a: { id: string }) => a.id === agent);
    expect(listed.name).toBe('Agent 00000000');
    expect((await postJson(mock.url, PATHS.elizaSessions, { agentId: agent, userId: USER })).status).toBe(201);
    await expectNoHarm();
  });

  it('a state file round trip keeps every hostile tenant, collection and id', async () => {
    const stateFile = path.join(await mkdtemp(path.join(os.tmpdir(), 'parley-pollution-')), 'state.jsonl');
    const first = await startBundledMock({ stateFile, adminToken: 'pollution-admin' });
    const admin = { 'x-parley-admin-token': 'pollution-admin' };
    try {
      for (const tenant of HOSTILE_NAMES) {
        const seed = Object.fromEntries(
          HOSTILE_NAMES.map((collection) => [
            collection,
            Object.fromEntries(HOSTILE_NAMES.map((id) => [id, { tenant, collection, id }])),
          ]),
        );
        expect((await postJson(first.url, '/__parley/state', seed, featherKey(tenant))).status).toBe(200);
        expect(
          (
            await postJson(
              first.url,
              PATHS.featherConversations,
              { end_user_id: USER, assistant_id: ASSISTANT },
              featherKey(tenant),
            )
          ).status,
        ).toBe(201);
      }
    } finally {
      await first.close();
    }
    const second = await startBundledMock({ stateFile, adminToken: 'pollution-admin' });
    try {
      const state = (await getJson(second.url, '/__parley/state', admin)).body;
      expect(Object.keys(state.tenants).sort()).toEqual([...HOSTILE_NAMES].sort());
      for (const tenant of HOSTILE_NAMES) {
        expect(Object.keys(state.tenants[tenant]).sort()).toEqual([...HOSTILE_NAMES, 'feather.conversations'].sort());
        for (const collection of HOSTILE_NAMES) {
          for (const id of HOSTILE_NAMES)
            expect(state.tenants[tenant][collection][id]).toEqual({ tenant, collection, id });
        }
        expect(Object.keys(state.indexes[tenant])).toHaveLength(1);
      }
    } finally {
      await second.close();
    }
    await expectNoHarm();
  });
});
