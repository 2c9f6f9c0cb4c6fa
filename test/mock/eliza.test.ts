/** ElizaOS through HTTP: messaging sessions, their timeout arithmetic, agents from fixtures, its own error shape. */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningMock } from '../../src/mock/server.js';
import { getJson, postJson } from '../helpers/http.js';
import { DEMO_AGENT_ID, expectElizaError, PATHS, startBundledMock, tempJsonFile } from '../helpers/mock.js';

const MINUTE = 60_000;
const FILE_AGENT = { id: '11111111-1111-4111-8111-111111111111', name: 'From file' };
const ADMIN_TOKEN = 'admin-secret';

let mock: RunningMock;
beforeAll(async () => {
  const fixturesFile = await tempJsonFile('fixtures.json', { agents: [FILE_AGENT] });
  mock = await startBundledMock({ fixturesFile, adminToken: ADMIN_TOKEN });
});
afterAll(() => mock?.close());

const createSession = (body: Record<string, unknown>) => postJson(mock.url, PATHS.elizaSessions, body);
const sessionWith = (timeoutConfig?: Record<string, unknown>) =>
  createSession({ agentId: DEMO_AGENT_ID, userId: randomUUID(), ...(timeoutConfig ? { timeoutConfig } : {}) });
const lifetimeMinutes = (session: { createdAt: string; expiresAt: string }) =>
  (Date.parse(session.expiresAt) - Date.parse(session.createdAt)) / MINUTE;

describe('ElizaOS POST /api/messaging/sessions', () => {
  it('answers 201 with a sessionId, the defaults filled into timeoutConfig and a 30-minute expiry', async () => {
    const userId = randomUUID();
    const response = await createSession({ agentId: DEMO_AGENT_ID, userId, metadata: { platform: 'web' } });
    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      sessionId: expect.any(String),
      agentId: DEMO_AGENT_ID,
      userId,
      createdAt: expect.any(String),
      metadata: { platform: 'web' },
      expiresAt: expect.any(String),
      timeoutConfig: { timeoutMinutes: 30, autoRenew: true, maxDurationMinutes: 720, warningThresholdMinutes: 5 },
    });
    expect(response.body.sessionId.length).toBeGreaterThan(0);
    expect(lifetimeMinutes(response.body)).toBe(30);
  });

  it('gives every session its own sessionId', async () => {
    const [a, b] = await Promise.all([sessionWith(), sessionWith()]);
    expect(a.body.sessionId).not.toBe(b.body.sessionId);
  });

  it('echoes a partial timeoutConfig with the missing defaults filled in', async () => {
    const response = await sessionWith({ timeoutMinutes: 90, autoRenew: false });
    expect(response.body.timeoutConfig).toEqual({
      timeoutMinutes: 90,
      autoRenew: false,
      maxDurationMinutes: 720,
      warningThresholdMinutes: 5,
    });
    expect(lifetimeMinutes(response.body)).toBe(90);
  });

  it('computes expiresAt from timeoutMinutes, capped by maxDurationMinutes', async () => {
    expect(lifetimeMinutes((await sessionWith({ timeoutMinutes: 60, maxDurationMinutes: 45 })).body)).toBe(45);
    expect(lifetimeMinutes((await sessionWith({ timeoutMinutes: 1440 })).body)).toBe(720);
    expect(lifetimeMinutes((await sessionWith({ timeoutMinutes: 5, maxDurationMinutes: 10 })).body)).toBe(5);
  });

  describe('bounds timeoutMinutes to 5..1440 (400 in ElizaOS shape)', () => {
    for (const minutes of [5, 1440]) {
      it(`accepts ${minutes}`, async () => {
        const response = await sessionWith({ timeoutMinutes: minutes });
        expect(response.status, response.text).toBe(201);
        expect(response.body.timeoutConfig.timeoutMinutes).toBe(minutes);
      });
    }
    for (const minutes of [4, 1441, 0, -30, 30.5, '30']) {
      it(`rejects ${JSON.stringify(minutes)}`, async () => {
        const error = expectElizaError(await sessionWith({ timeoutMinutes: minutes }), 400);
        expect(error.details).toMatch(/timeoutConfig\.timeoutMinutes/);
      });
    }
  });

  it('rejects a missing agentId or userId and a malformed uuid with 400 naming the field', async () => {
    expect(expectElizaError(await createSession({ userId: randomUUID() }), 400).details).toMatch(/agentId/);
    expect(expectElizaError(await createSession({ agentId: DEMO_AGENT_ID }), 400).details).toMatch(/userId/);
    expect(expectElizaError(await createSession({ agentId: 'agent-7', userId: randomUUID() }), 400).details).toMatch(
      /agentId/,
    );
  });

  it('answers 404 in ElizaOS shape for an unknown agentId', async () => {
    const error = expectElizaError(await createSession({ agentId: randomUUID(), userId: randomUUID() }), 404);
    expect(error.code).toBe('AGENT_NOT_FOUND');
  });
});

describe('ElizaOS agents come from fixtures', () => {
  it('has the demo agent by default', async () => {
    const fixtures = await getJson(mock.url, '/__parley/fixtures');
    expect(fixtures.body.agents).toContainEqual(expect.objectContaining({ id: DEMO_AGENT_ID }));
  });

  it('knows the agents of the fixtures file', async () => {
    const response = await createSession({ agentId: FILE_AGENT.id, userId: randomUUID() });
    expect(response.status).toBe(201);
    expect(response.body.agentId).toBe(FILE_AGENT.id);
  });

  it('adds agents through the admin API, which needs the admin token', async () => {
    const agentId = randomUUID();
    const fixtures = { agents: [{ id: agentId, name: 'Added' }] };
    expect((await createSession({ agentId, userId: randomUUID() })).status).toBe(404);
    expect((await postJson(mock.url, '/__parley/fixtures', fixtures)).status).toBe(403);
    const added = await postJson(mock.url, '/__parley/fixtures', fixtures, { 'x-parley-admin-token': ADMIN_TOKEN });
    expect(added.status).toBe(200);
    expect(added.body.agents).toContainEqual({ id: agentId, name: 'Added' });
    expect((await createSession({ agentId, userId: randomUUID() })).status).toBe(201);
  });

  it('rejects malformed fixtures with 400 and keeps the old ones', async () => {
    const response = await postJson(
      mock.url,
      '/__parley/fixtures',
      { agents: [{ id: 'not-a-uuid' }] },
      { 'x-parley-admin-token': ADMIN_TOKEN },
    );
    expect(response.status).toBe(400);
    expect(response.body.message).toMatch(/uuid/i);
    expect((await sessionWith()).status).toBe(201);
  });
});
