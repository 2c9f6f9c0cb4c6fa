/** Many identical or competing requests at the same moment: no duplicates, nothing lost, one order. */
import { Pool } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningMock } from '../../src/mock/server.js';
import { postJson, type HttpResponse } from '../helpers/http.js';
import { DEMO_AGENT_ID, featherKey, PATHS, startBundledMock } from '../helpers/mock.js';

const CONCURRENT = 1000;

let mock: RunningMock;
let pool: Pool;

beforeAll(async () => {
  // The pool's connections and a few more: above the default connection cap, which this test is not about.
  mock = await startBundledMock({ maxConnections: CONCURRENT + 16 });
  // One connection per request, so all of them are really in flight together.
  pool = new Pool(mock.url, { connections: CONCURRENT, pipelining: 1 });
});

afterAll(async () => {
  await pool?.close();
  await mock?.close();
});

const all = (count: number, send: (index: number) => Promise<HttpResponse>) =>
  Promise.all(Array.from({ length: count }, (_, index) => send(index)));

describe('concurrent requests', () => {
  it(`${CONCURRENT} concurrent identical get-or-create calls give exactly one conversation`, async () => {
    const body = {
      end_user_id: '6f1c1f3e-1d55-4d5c-9a43-3f8f0c1a0c01',
      assistant_id: DEMO_AGENT_ID,
      external_id: 'ticket-1',
    };
    const responses = await all(CONCURRENT, () =>
      postJson(mock.url, PATHS.featherConversations, body, featherKey('race'), pool),
    );
    expect(responses.map((response) => response.status)).toEqual(Array(CONCURRENT).fill(201));
    expect(new Set(responses.map((response) => response.body.id)).size).toBe(1);
    expect(mock.app.parts.store.list('race', 'feather.conversations')).toHaveLength(1);
  });

  it(`${CONCURRENT} concurrent messages to one session are all stored, each with its reply, in one order`, async () => {
    const session = await postJson(mock.url, PATHS.featherSessions, { title: 'busy' }, featherKey('busy'));
    const responses = await all(CONCURRENT, (index) =>
      postJson(
        mock.url,
        PATHS.featherMessages(session.body.id),
        { content: `message ${index}` },
        featherKey('busy'),
        pool,
      ),
    );
    expect(responses.filter((response) => response.status !== 200).map((response) => response.text)).toEqual([]);

    const stored = mock.app.parts.store.get('busy', 'feather.sessions', session.body.id)!.messages as {
      id: string;
      role: string;
      content: string;
      created_at: string;
    }[];
    expect(stored).toHaveLength(2 * CONCURRENT);
    // Every message once, each immediately followed by its own reply: no interleaving between requests.
    expect(new Set(stored.filter((m) => m.role === 'user').map((m) => m.content))).toEqual(
      new Set(responses.map((_, index) => `message ${index}`)),
    );
    for (const response of responses) {
      const at = stored.findIndex((message) => message.id === response.body.message.id);
      expect(stored[at + 1].id).toBe(response.body.reply.id);
    }
    // The stored order is the order the mock handled them in: timestamps never go back.
    const times = stored.map((message) => Date.parse(message.created_at));
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });
});
