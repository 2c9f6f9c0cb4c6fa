/** Feather through HTTP: Ask-Feather sessions and messages, and v2 get-or-create conversations. */
import { randomUUID } from 'node:crypto';
import { Pool } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningMock } from '../../src/mock/server.js';
import { getJson, postJson, send } from '../helpers/http.js';
import { expectFastApiValidation, featherKey, locs, PATHS, startBundledMock, UUID } from '../helpers/mock.js';

let mock: RunningMock;
beforeAll(async () => {
  mock = await startBundledMock();
});
afterAll(() => mock?.close());

const createSession = (body: unknown = {}, key = 'key-alpha') =>
  postJson(mock.url, PATHS.featherSessions, body, featherKey(key));
const sendMessage = (sessionId: string, body: unknown, key = 'key-alpha') =>
  postJson(mock.url, PATHS.featherMessages(sessionId), body, featherKey(key));

describe('Feather POST /v1/ask-feather/sessions', () => {
  it('answers 201 with a new uuid, status active and equal created_at / updated_at', async () => {
    const response = await createSession({ title: 'Onboarding' });
    expect(response.status).toBe(201);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.body).toEqual({
      id: expect.stringMatching(UUID),
      title: 'Onboarding',
      status: 'active',
      created_at: expect.any(String),
      updated_at: response.body.created_at,
    });
    expect(Number.isNaN(Date.parse(response.body.created_at))).toBe(false);
  });

  it('sets title to null when the request leaves it out', async () => {
    const response = await createSession({});
    expect(response.status).toBe(201);
    expect(response.body.title).toBeNull();
  });

  it('gives every session its own id', async () => {
    const ids = new Set(await Promise.all([1, 2, 3, 4, 5].map(async () => (await createSession()).body.id)));
    expect(ids.size).toBe(5);
  });

  it('rejects a title of the wrong type with 422 at body.title', async () => {
    const issues = expectFastApiValidation(await createSession({ title: 42 }));
    expect(locs(issues)).toContain('body.title');
  });
});

describe('Feather POST /v1/ask-feather/sessions/{session_id}/messages', () => {
  it('answers 200 with the stored user message and a canned assistant reply', async () => {
    const session = (await createSession({ title: 'Help' })).body;
    const response = await sendMessage(session.id, { content: 'How do I reset my password?' });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      session_id: session.id,
      message: {
        id: expect.stringMatching(UUID),
        role: 'user',
        content: 'How do I reset my password?',
        workflow: null,
        created_at: expect.any(String),
      },
      reply: {
        id: expect.stringMatching(UUID),
        role: 'assistant',
        content: expect.stringMatching(/\S/),
        workflow: null,
        created_at: expect.any(String),
      },
    });
    expect(response.body.reply.id).not.toBe(response.body.message.id);
  });

  it('echoes the workflow the message names', async () => {
    const session = (await createSession()).body;
    const response = await sendMessage(session.id, { content: 'Draft an email', workflow: 'email-draft' });
    expect(response.status).toBe(200);
    expect(response.body.message.workflow).toBe('email-draft');
  });

  it('keeps messages in order and moves the session updated_at', async () => {
    const session = (await createSession()).body;
    const sent: string[] = [];
    for (const content of ['first', 'second', 'third']) {
      const response = await sendMessage(session.id, { content });
      expect(response.status).toBe(200);
      sent.push(response.body.message.id, response.body.reply.id);
    }
    const state = await getJson(mock.url, '/__parley/state', featherKey());
    const stored = state.body.tenants['key-alpha']['feather.sessions'][session.id];
    expect(stored.messages.map((m: { id: string }) => m.id)).toEqual(sent);
    const userContents = stored.messages
      .filter((m: { role: string }) => m.role === 'user')
      .map((m: { content: string }) => m.content);
    expect(userContents).toEqual(['first', 'second', 'third']);
    expect(Date.parse(stored.updated_at)).toBeGreaterThanOrEqual(Date.parse(session.updated_at));
    expect(stored.updated_at).toBe(stored.messages.at(-1).created_at);
    expect(stored.created_at).toBe(session.created_at);
  });

  it('moves updated_at past created_at once time has passed', async () => {
    const session = (await createSession()).body;
    await new Promise((resolve) => setTimeout(resolve, 5));
    await sendMessage(session.id, { content: 'later' });
    const state = await getJson(mock.url, '/__parley/state', featherKey());
    const stored = state.body.tenants['key-alpha']['feather.sessions'][session.id];
    expect(Date.parse(stored.updated_at)).toBeGreaterThan(Date.parse(session.created_at));
  });

  it('finds the session whatever the case of its id', async () => {
    const session = (await createSession()).body;
    expect((await sendMessage(session.id.toUpperCase(), { content: 'shouting' })).status).toBe(200);
  });

  it('answers 404 in FastAPI shape for a session that does not exist', async () => {
    const response = await sendMessage(randomUUID(), { content: 'hello?' });
    expect(response.status).toBe(404);
    expect(response.body).toEqual({ detail: expect.any(String) });
  });

  it('answers 422 at path.session_id for a malformed uuid', async () => {
    const issues = expectFastApiValidation(await sendMessage('not-a-uuid', { content: 'hi' }));
    expect(issues).toContainEqual(expect.objectContaining({ loc: ['path', 'session_id'], type: 'uuid_parsing' }));
  });

  it('answers 422 at body.content for empty or missing content', async () => {
    const session = (await createSession()).body;
    const empty = expectFastApiValidation(await sendMessage(session.id, { content: '' }));
    expect(empty).toContainEqual(expect.objectContaining({ loc: ['body', 'content'], type: 'string_too_short' }));
    const missing = expectFastApiValidation(await sendMessage(session.id, {}));
    expect(missing).toContainEqual(expect.objectContaining({ loc: ['body', 'content'], type: 'missing' }));
  });
});

describe('Feather POST /v1/v2/conversations (get-or-create)', () => {
  const conversation = (body: Record<string, unknown>, key = 'key-alpha') =>
    postJson(mock.url, PATHS.featherConversations, body, featherKey(key));
  const assistantBody = () => ({ end_user_id: randomUUID(), assistant_id: randomUUID() });

  it('creates a conversation with the documented defaults: channel chat, session_type live', async () => {
    const body = assistantBody();
    const response = await conversation(body);
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({
      id: expect.stringMatching(UUID),
      organization_id: expect.stringMatching(UUID),
      end_user_id: body.end_user_id,
      channel: 'chat',
      session_type: 'live',
      status: 'active',
      assistant_id: body.assistant_id,
      assistant_revision_id: expect.stringMatching(UUID),
      team_id: null,
      team_revision_id: null,
      external_id: null,
    });
    expect(response.body.updated_at).toBe(response.body.created_at);
  });

  it('returns the same conversation for the same end user, channel and binding', async () => {
    const body = assistantBody();
    const first = await conversation(body);
    const second = await conversation({ ...body, channel: 'chat', session_type: 'live' });
    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);
  });

  it('creates a different conversation when the end user, channel, binding or external_id differ', async () => {
    const body = assistantBody();
    const base = (await conversation(body)).body.id;
    const variants = [
      { ...body, end_user_id: randomUUID() },
      { ...body, channel: 'sms' },
      { ...body, assistant_id: randomUUID() },
      { ...body, external_id: 'ticket-1' },
    ];
    const ids = await Promise.all(variants.map(async (variant) => (await conversation(variant)).body.id));
    expect(new Set([base, ...ids]).size).toBe(variants.length + 1);
    // The same external_id again finds its own conversation.
    expect((await conversation({ ...body, external_id: 'ticket-1' })).body.id).toBe(ids[3]);
  });

  it('binds to a team with its revision', async () => {
    const body = { end_user_id: randomUUID(), team_id: randomUUID(), team_revision_id: randomUUID() };
    const first = await conversation(body);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      team_id: body.team_id,
      team_revision_id: body.team_revision_id,
      assistant_id: null,
      assistant_revision_id: null,
    });
    expect((await conversation(body)).body.id).toBe(first.body.id);
    expect((await conversation({ ...body, team_revision_id: randomUUID() })).body.id).not.toBe(first.body.id);
  });

  it('derives organization_id from the API key', async () => {
    const a1 = (await conversation(assistantBody(), 'org-key-1')).body.organization_id;
    const a2 = (await conversation(assistantBody(), 'org-key-1')).body.organization_id;
    const b = (await conversation(assistantBody(), 'org-key-2')).body.organization_id;
    expect(a1).toMatch(UUID);
    expect(a2).toBe(a1);
    expect(b).not.toBe(a1);
  });

  it('ignores an organization_id in the body: the key decides', async () => {
    const first = await conversation({ ...assistantBody(), organization_id: randomUUID() }, 'org-key-3');
    const second = await conversation(assistantBody(), 'org-key-3');
    expect(first.body.organization_id).toBe(second.body.organization_id);
  });

  describe('needs exactly one of assistant_id or team_id with team_revision_id (400 ErrorResponse)', () => {
    const user = randomUUID();
    const cases: [string, Record<string, unknown>][] = [
      ['neither', { end_user_id: user }],
      [
        'both',
        { end_user_id: user, assistant_id: randomUUID(), team_id: randomUUID(), team_revision_id: randomUUID() },
      ],
      ['team_id without team_revision_id', { end_user_id: user, team_id: randomUUID() }],
      ['team_revision_id without team_id', { end_user_id: user, team_revision_id: randomUUID() }],
      ['assistant_revision_id without assistant_id', { end_user_id: user, assistant_revision_id: randomUUID() }],
      [
        'assistant_id with a team_revision_id',
        { end_user_id: user, assistant_id: randomUUID(), team_revision_id: randomUUID() },
      ],
    ];
    for (const [name, body] of cases) {
      it(`rejects ${name}`, async () => {
        const response = await conversation(body);
        expect(response.status, response.text).toBe(400);
        expect(response.body).toEqual({ error: expect.any(String), message: expect.any(String) });
      });
    }
  });

  it('answers 422 in FastAPI shape for a missing or malformed end_user_id and a bad enum', async () => {
    expect(locs(expectFastApiValidation(await conversation({ assistant_id: randomUUID() })))).toContain(
      'body.end_user_id',
    );
    expect(
      locs(expectFastApiValidation(await conversation({ end_user_id: 'nope', assistant_id: randomUUID() }))),
    ).toContain('body.end_user_id');
    expect(locs(expectFastApiValidation(await conversation({ ...assistantBody(), session_type: 'batch' })))).toContain(
      'body.session_type',
    );
  });

  it('creates exactly one conversation for 1,000 concurrent identical requests', async () => {
    const key = `burst-${randomUUID()}`;
    const body = JSON.stringify(assistantBody());
    const pool = new Pool(mock.url, { connections: 32, pipelining: 1 });
    try {
      const responses = await Promise.all(
        Array.from({ length: 1000 }, () =>
          send(mock.url, 'POST', PATHS.featherConversations, {
            raw: body,
            headers: { ...featherKey(key), 'content-type': 'application/json' },
            dispatcher: pool,
          }),
        ),
      );
      expect(responses.every((r) => r.status === 201)).toBe(true);
      expect(new Set(responses.map((r) => r.body.id)).size).toBe(1);
    } finally {
      await pool.close();
    }
    const state = await getJson(mock.url, '/__parley/state', featherKey(key));
    expect(Object.keys(state.body.tenants[key]['feather.conversations'])).toHaveLength(1);
  });
});
