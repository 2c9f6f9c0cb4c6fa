/**
 * Issue #11, memory: each attack that grew the mock without bound, driven past its limit through
 * HTTP. After each, the mock answers, stays under its budget (peak RSS of the mock process where it
 * runs as one) and every other tenant's state is as it was.
 */
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Pool } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningMock } from '../../src/mock/server.js';
import type { StoreUsage } from '../../src/mock/store.js';
import { ensureBuilt } from '../helpers/build.js';
import { getJson, postJson, type Headers, type HttpResponse } from '../helpers/http.js';
import { DEMO_AGENT_ID, featherKey, PATHS, ROOT, startBundledMock } from '../helpers/mock.js';
import { spawnUntil, stopProcess, watchPeakRss, type Started } from '../helpers/processes.js';
import { bounded, rawRequest, type RawOutcome } from './raw-http.js';

const BIN = path.join(ROOT, 'bin/parley.js');
const LISTENING = /parley mock listening on (http:\/\/127\.0\.0\.1:(\d+))/;
const ADMIN = { 'x-parley-admin-token': 'budget-admin' };
const MB = 1024 * 1024;

interface MockProcess extends Started {
  url: string;
  port: number;
  peakRss: () => number;
}

async function startMockProcess(nodeFlags: string[], ...args: string[]): Promise<MockProcess> {
  const started = await spawnUntil(
    process.execPath,
    [...nodeFlags, BIN, 'mock', '--port', '0', '--admin-token', ADMIN['x-parley-admin-token'], ...args],
    LISTENING,
    20_000,
    ROOT,
  );
  return { ...started, url: started.match[1], port: Number(started.match[2]), peakRss: watchPeakRss(started.child) };
}

/** A tenant with a little of everything, to compare before and after an attack by someone else. */
async function seedBystander(url: string, key = 'bystander'): Promise<unknown> {
  const session = await postJson(url, PATHS.featherSessions, { title: 'mine' }, featherKey(key));
  expect(session.status).toBe(201);
  expect(
    (await postJson(url, PATHS.featherMessages(session.body.id), { content: 'still here?' }, featherKey(key))).status,
  ).toBe(200);
  const conversation = await postJson(
    url,
    PATHS.featherConversations,
    { end_user_id: DEMO_AGENT_ID, assistant_id: DEMO_AGENT_ID, external_id: 'mine' },
    featherKey(key),
  );
  expect(conversation.status).toBe(201);
  return stateOf(url, key);
}

async function stateOf(url: string, tenant: string): Promise<unknown> {
  const state = await getJson(url, `/__parley/state?tenant=${encodeURIComponent(tenant)}`, ADMIN);
  expect(state.status, state.text).toBe(200);
  return state.body;
}

async function usageOf(url: string): Promise<StoreUsage> {
  const health = await getJson(url, '/__parley/health', ADMIN);
  expect(health.status).toBe(200);
  return health.body.memory;
}

/** The mock still does its job: a new session is created and read back. */
async function expectServing(url: string): Promise<void> {
  const created = await postJson(url, PATHS.featherSessions, { title: 'after' }, featherKey('late-comer'));
  expect(created.status, created.text).toBe(201);
  expect(
    (await postJson(url, PATHS.featherMessages(created.body.id), { content: 'hello' }, featherKey('late-comer')))
      .status,
  ).toBe(200);
}

beforeAll(() => ensureBuilt(), 120_000);

describe('1 MB messages to one session', () => {
  it('with the default budget sized from a 256 MB heap: every message answered, the session trimmed, RSS bounded, the state saved', async () => {
    // 300 MB of messages: kept whole, they would not fit in this heap (nor in one saved line).
    const stateFile = path.join(await mkdtemp(path.join(os.tmpdir(), 'parley-budget-')), 'state.jsonl');
    const mock = await startMockProcess(['--max-old-space-size=256'], '--state-file', stateFile);
    const pool = new Pool(mock.url, { connections: 4 });
    try {
      const before = await seedBystander(mock.url);
      const usage = await usageOf(mock.url);
      expect(usage.maxBytes).toBeGreaterThan(16 * MB);
      expect(usage.maxBytes).toBeLessThanOrEqual(100 * MB);
      const session = await postJson(mock.url, PATHS.featherSessions, { title: 'flood' }, featherKey('flooder'));
      const content = 'm'.repeat(1_000_000);
      const statuses = await bounded(300, 4, async (index) => {
        const reply = await postJson(
          mock.url,
          PATHS.featherMessages(session.body.id),
          { content: `${index}:${content}` },
          featherKey('flooder'),
          pool,
        );
        return reply.status;
      });
      expect(statuses).toEqual(Array(300).fill(200));

      const after = await usageOf(mock.url);
      expect(after.bytes).toBeLessThanOrEqual(after.maxBytes);
      const flooded = (await stateOf(mock.url, 'flooder')) as {
        tenants: Record<string, Record<string, Record<string, { messages: { content: string }[] }>>>;
      };
      const messages = flooded.tenants.flooder['feather.sessions'][session.body.id].messages;
      // Under the 8 MiB record limit, oldest first: the newest message is kept.
      expect(messages.length).toBeGreaterThanOrEqual(4);
      expect(messages.length).toBeLessThanOrEqual(18);
      expect(messages.reduce((sum, message) => sum + message.content.length, 0)).toBeLessThanOrEqual(8 * MB);
      expect(messages.at(-2)!.content.startsWith('299:') || messages.some((m) => m.content.startsWith('299:'))).toBe(
        true,
      );

      expect(await stateOf(mock.url, 'bystander')).toEqual(before);
      await expectServing(mock.url);
      expect(mock.peakRss(), `peak RSS ${Math.round(mock.peakRss() / MB)} MB`).toBeLessThan(350 * MB);

      // The trimmed session is saved on shutdown and comes back whole.
      await pool.close();
      expect(await stopProcess(mock.child, 20_000)).toBe(0);
      const restarted = await startMockProcess(['--max-old-space-size=256'], '--state-file', stateFile);
      try {
        const reloaded = (await stateOf(restarted.url, 'flooder')) as typeof flooded;
        expect(reloaded.tenants.flooder['feather.sessions'][session.body.id].messages).toEqual(messages);
        expect(await stateOf(restarted.url, 'bystander')).toEqual(before);
      } finally {
        await stopProcess(restarted.child);
      }
    } finally {
      if (!pool.closed) await pool.close();
      await stopProcess(mock.child);
    }
  }, 180_000);
});

describe("per-record and per-message limits, in each API's error shape", () => {
  let mock: RunningMock;

  beforeAll(async () => {
    mock = await startBundledMock({ maxRecordBytes: 64 * 1024, adminToken: ADMIN['x-parley-admin-token'] });
  });
  afterAll(() => mock?.close());

  it("a message larger than a session may hold is a 413 in FastAPI's shape, and the session is unchanged", async () => {
    const session = await postJson(mock.url, PATHS.featherSessions, { title: 'small' }, featherKey('limits'));
    const kept = await postJson(
      mock.url,
      PATHS.featherMessages(session.body.id),
      { content: 'first' },
      featherKey('limits'),
    );
    expect(kept.status).toBe(200);
    const big = await postJson(
      mock.url,
      PATHS.featherMessages(session.body.id),
      { content: 'b'.repeat(100 * 1024) },
      featherKey('limits'),
    );
    expect(big.status, big.text).toBe(413);
    expect(big.body).toEqual({
      detail: expect.stringMatching(/a session holds at most 65536 bytes \(--max-record-size\)/),
    });
    const stored = mock.app.parts.store.get('limits', 'feather.sessions', session.body.id) as {
      messages: { content: string }[];
    };
    expect(stored.messages.map((message) => message.content)).toEqual(['first', kept.body.reply.content]);
  });

  it('messages that add up past the limit drop the oldest, keeping the session under it', async () => {
    const session = await postJson(mock.url, PATHS.featherSessions, {}, featherKey('limits'));
    for (let index = 0; index < 40; index++) {
      const reply = await postJson(
        mock.url,
        PATHS.featherMessages(session.body.id),
        { content: `${index} ${'c'.repeat(10 * 1024)}` },
        featherKey('limits'),
      );
      expect(reply.status).toBe(200);
    }
    const stored = mock.app.parts.store.get('limits', 'feather.sessions', session.body.id) as {
      messages: { content: string }[];
    };
    expect(JSON.stringify(stored).length).toBeLessThanOrEqual(64 * 1024);
    expect(stored.messages.length).toBeGreaterThanOrEqual(4);
    expect(stored.messages.at(-2)!.content.startsWith('39 ')).toBe(true);
  });

  it('a record over the limit is a 413 in the Julep (FastAPI) and ElizaOS (envelope) shapes, storing nothing', async () => {
    const recordsBefore = mock.app.parts.store.size;
    const julep = await postJson(
      mock.url,
      PATHS.julepSessions,
      { agent: DEMO_AGENT_ID, situation: 's'.repeat(100 * 1024) },
      { authorization: 'Bearer limits' },
    );
    expect(julep.status, julep.text).toBe(413);
    expect(julep.body).toEqual({
      detail: expect.stringMatching(/over the limit of 65536 bytes per record \(--max-record-size\)/),
    });
    const eliza = await postJson(mock.url, PATHS.elizaSessions, {
      agentId: DEMO_AGENT_ID,
      userId: DEMO_AGENT_ID,
      metadata: { note: 'e'.repeat(100 * 1024) },
    });
    expect(eliza.status, eliza.text).toBe(413);
    expect(eliza.body).toEqual({
      success: false,
      error: { code: 'RECORD_TOO_LARGE', message: expect.stringMatching(/per record/), details: expect.any(String) },
    });
    expect(mock.app.parts.store.size).toBe(recordsBefore);
  });

  it('a seeded record over the limit is a 413 from the admin API, and nothing of the seed is stored', async () => {
    const seed = {
      'feather.sessions': {
        small: { id: 'small', messages: [] },
        large: { id: 'large', title: 't'.repeat(100 * 1024), messages: [] },
      },
    };
    const seeded = await postJson(mock.url, '/__parley/state?tenant=seeder', seed, ADMIN);
    expect(seeded.status, seeded.text).toBe(413);
    expect(seeded.body).toEqual({
      error: 'record_too_large',
      message: expect.stringMatching(/"feather.sessions"."large" takes \d+ bytes/),
    });
    expect(mock.app.parts.store.get('seeder', 'feather.sessions', 'small')).toBeUndefined();
  });
});

describe('many keys, many records, many get-or-create identities', () => {
  let mock: RunningMock;
  let before: unknown;

  beforeAll(async () => {
    mock = await startBundledMock({
      maxRecords: 1000,
      maxMemoryBytes: 8 * MB,
      adminToken: ADMIN['x-parley-admin-token'],
    });
    before = await seedBystander(mock.url);
  });
  afterAll(() => mock?.close());

  it('5,000 keys each storing 15 KB under --max-records 1000: records, bytes and the tenant map stay bounded', async () => {
    const title = 't'.repeat(15 * 1024);
    const statuses = await bounded(
      5000,
      16,
      async (index) => (await postJson(mock.url, PATHS.featherSessions, { title }, featherKey(`many-${index}`))).status,
    );
    expect(statuses).toEqual(Array(5000).fill(201));
    const usage = await usageOf(mock.url);
    expect(usage.bytes).toBeLessThanOrEqual(8 * MB);
    expect(usage.records).toBeLessThanOrEqual(1000);
    // Keys whose records were all evicted are gone from the tenant map, not kept empty.
    expect(usage.tenants).toBeLessThanOrEqual(usage.records);
    expect(await stateOf(mock.url, 'bystander')).toEqual(before);
    await expectServing(mock.url);
  }, 120_000);

  it('3,000 get-or-create calls with distinct external_id: index entries go with their records, GET /__parley/state works', async () => {
    const headers: Headers = featherKey('identities');
    const statuses = await bounded(3000, 16, async (index) => {
      const body = {
        end_user_id: DEMO_AGENT_ID,
        assistant_id: DEMO_AGENT_ID,
        external_id: `ticket-${index}-${'e'.repeat(1000)}`,
      };
      return (await postJson(mock.url, PATHS.featherConversations, body, headers)).status;
    });
    expect(statuses).toEqual(Array(3000).fill(201));
    const state = await getJson(mock.url, '/__parley/state', ADMIN);
    expect(state.status).toBe(200);
    const conversations = state.body.tenants.identities['feather.conversations'];
    const index = state.body.indexes.identities;
    // Every index entry leads to a stored record, and the other way round.
    expect(Object.keys(index).length).toBe(Object.keys(conversations).length);
    for (const id of Object.values(index) as string[]) expect(conversations[id]).toBeDefined();
    const usage = await usageOf(mock.url);
    expect(usage.indexEntries).toBeLessThanOrEqual(usage.records);
    expect(usage.bytes).toBeLessThanOrEqual(8 * MB);
    // The newest identity still finds its conversation.
    const again = await postJson(
      mock.url,
      PATHS.featherConversations,
      { end_user_id: DEMO_AGENT_ID, assistant_id: DEMO_AGENT_ID, external_id: `ticket-2999-${'e'.repeat(1000)}` },
      headers,
    );
    expect(Object.values(index)).toContain(again.body.id);
    expect(await stateOf(mock.url, 'bystander')).toEqual(before);
    await expectServing(mock.url);
  }, 120_000);
});

describe('connection cap', () => {
  it('1,000 connections holding nearly complete 1 MB bodies: 50 held, the rest refused, RSS bounded, then served again', async () => {
    const mock = await startMockProcess([], '--max-connections', '50');
    try {
      const before = await seedBystander(mock.url);
      const session = await postJson(mock.url, PATHS.featherSessions, { title: 'target' }, featherKey('holder'));
      const body = Buffer.alloc(MB - 1, 'a');
      const head = `POST ${PATHS.featherMessages(session.body.id)} HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-key: holder\r\nContent-Type: application/json\r\nContent-Length: ${MB}\r\n\r\n`;
      const holders = Array.from({ length: 1000 }, () => rawRequest(mock.port, { head, body }, 6_000));
      // While they hold their slots, a newcomer is told so, in Feather's shape. Connections refused
      // a moment ago may still be draining their 1 MB bodies (this process writes all 1,000 of them,
      // slowly on a loaded machine), and past the refusal headroom Node drops a socket unanswered:
      // the newcomer tries again until one is answered, well before the holders give up.
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      const newcomer = () =>
        rawRequest(mock.port, {
          head: `POST ${PATHS.featherSessions} HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-key: newcomer\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}`,
        });
      let busy = await newcomer();
      for (let attempt = 1; !busy.response && attempt < 10; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        busy = await newcomer();
      }
      expect(busy.response, busy.error).toBeDefined();
      expectRefusal(busy.response!);

      const outcomes = await Promise.all(holders);
      const held = outcomes.filter((outcome) => outcome.error === 'client timeout');
      const refused = outcomes.filter((outcome) => outcome.response?.status === 503);
      const dropped = outcomes.filter((outcome) => !outcome.response && outcome.error !== 'client timeout');
      // The test's own keep-alive connections (from seeding) may hold a slot or two.
      expect(held.length).toBeLessThanOrEqual(50);
      expect(held.length).toBeGreaterThanOrEqual(45);
      expect(refused.length).toBeGreaterThan(0);
      expect(held.length + refused.length + dropped.length).toBe(1000);
      for (const outcome of refused) expectRefusal(outcome.response!);
      // Nothing else: no 5xx but the refusal, no answer of another kind.
      expect(outcomes.filter((outcome) => outcome.response && outcome.response.status !== 503)).toEqual([]);
      expect(mock.peakRss(), `peak RSS ${Math.round(mock.peakRss() / MB)} MB`).toBeLessThan(300 * MB);

      await waitUntilServing(mock.url);
      expect(await stateOf(mock.url, 'bystander')).toEqual(before);
      await expectServing(mock.url);
    } finally {
      await stopProcess(mock.child);
    }
  }, 120_000);
});

function expectRefusal(response: HttpResponse | NonNullable<RawOutcome['response']>): void {
  expect(response.status).toBe(503);
  expect(response.headers['retry-after']).toBe('1');
  expect(JSON.parse(response.text)).toEqual({
    detail: 'The mock is serving its limit of 50 connections; retry once one closes (--max-connections)',
  });
}

/** The held sockets are closed by the client; the mock counts them gone once it sees them close. */
async function waitUntilServing(url: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const reply = await getJson(url, '/__parley/health');
    if (reply.status === 200 || Date.now() > deadline) {
      expect(reply.status).toBe(200);
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
