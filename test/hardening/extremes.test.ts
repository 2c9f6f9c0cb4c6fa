/**
 * Schema-valid values the mock cannot represent: ElizaOS's unbounded `maxDurationMinutes` pushed past
 * the date range, number literals that overflow a double (`1e309` passes as an integer), and seeded
 * records the API could not serve. Each is a documented 4xx with a clear message, never a 500, and
 * other tenants keep their state.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningMock } from '../../src/mock/server.js';
import { getJson, postJson, send } from '../helpers/http.js';
import {
  DEMO_AGENT_ID,
  expectElizaError,
  expectFastApiValidation,
  featherKey,
  julepKey,
  PATHS,
  startBundledMock,
} from '../helpers/mock.js';

const USER = '6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f';
const ADMIN = { 'x-parley-admin-token': 'extremes-admin' };
let mock: RunningMock;
let bystander: string;

const bystanderState = async () =>
  JSON.stringify((await getJson(mock.url, '/__parley/state', featherKey('bystander'))).body);
const elizaRaw = (timeoutConfig: string) =>
  send(mock.url, 'POST', PATHS.elizaSessions, {
    raw: `{"agentId":"${DEMO_AGENT_ID}","userId":"${USER}","timeoutConfig":${timeoutConfig}}`,
    headers: { 'content-type': 'application/json' },
  });

beforeAll(async () => {
  mock = await startBundledMock({ adminToken: ADMIN['x-parley-admin-token'] });
  await postJson(mock.url, PATHS.featherSessions, { title: 'bystander' }, featherKey('bystander'));
  bystander = await bystanderState();
});
afterAll(() => mock?.close());

describe('ElizaOS timeouts the mock cannot turn into a date', () => {
  it.each([
    '{"maxDurationMinutes":-1000000000000}',
    '{"maxDurationMinutes":-9007199254740991}',
    '{"timeoutMinutes":5,"maxDurationMinutes":-1e300}',
  ])('%s is a 400 naming the field', async (timeoutConfig) => {
    const error = expectElizaError(await elizaRaw(timeoutConfig), 400);
    expect(error.code).toBe('VALIDATION_ERROR');
    expect(error.details).toMatch(
      /^body\.timeoutConfig\.maxDurationMinutes: The session would expire outside the dates the mock can represent/,
    );
    expect(await bystanderState()).toBe(bystander);
  });

  it.each([
    '{"maxDurationMinutes":1e309}',
    '{"maxDurationMinutes":-1e309}',
    `{"maxDurationMinutes":1${'0'.repeat(400)}}`,
  ])('%s (beyond a double) is a 400 naming the field', async (timeoutConfig) => {
    const error = expectElizaError(await elizaRaw(timeoutConfig), 400);
    expect(error.details).toMatch(/^body\.timeoutConfig\.maxDurationMinutes: Input should be a finite number/);
    expect(await bystanderState()).toBe(bystander);
  });

  it('large but representable values still answer 201, capped as documented', async () => {
    const session = await elizaRaw('{"timeoutMinutes":60,"maxDurationMinutes":100000000}');
    expect(session.status, session.text).toBe(201);
    expect(Date.parse(session.body.expiresAt) - Date.parse(session.body.createdAt)).toBe(60 * 60_000);
  });
});

describe('number literals beyond a double, in every API', () => {
  it('Julep token_budget 1e309 is a 422 in FastAPI shape', async () => {
    const response = await send(mock.url, 'POST', PATHS.julepSessions, {
      raw: `{"agent":"${DEMO_AGENT_ID}","token_budget":1e309}`,
      headers: { ...julepKey('x'), 'content-type': 'application/json' },
    });
    const issues = expectFastApiValidation(response);
    expect(issues[0]).toMatchObject({ type: 'finite_number', loc: ['body', 'token_budget'] });
  });

  it('admin seeds with 1e309 are a 400', async () => {
    const response = await send(mock.url, 'POST', '/__parley/state', {
      raw: '{"feather.sessions":{"a":{"n":1e309}}}',
      headers: { ...featherKey('x'), 'content-type': 'application/json' },
    });
    expect(response.status).toBe(400);
    expect(response.body.error).toBe('number_out_of_range');
  });
});

describe('seeded Feather sessions', () => {
  it.each(['"not a list"', '{"0":{}}', '[1, 2]', '42'])(
    'a seed whose messages is %s is refused with 400 and stores nothing',
    async (messages) => {
      const id = '0d9c1c6e-6a4f-4c35-8a43-a3ce5a3b2a11';
      const raw = `{"feather.sessions":{"${id}":{"id":"${id}","title":"t","status":"active","messages":${messages}}}}`;
      const response = await send(mock.url, 'POST', '/__parley/state', {
        raw,
        headers: { ...featherKey('seeder'), 'content-type': 'application/json' },
      });
      expect(response.status, response.text).toBe(400);
      expect(response.body.message).toMatch(/messages/);
      expect(
        (await postJson(mock.url, PATHS.featherMessages(id), { content: 'hi' }, featherKey('seeder'))).status,
      ).toBe(404);
      expect(await bystanderState()).toBe(bystander);
    },
  );

  it('a session loaded from a hand-edited state file with a bad message list takes messages (no 500)', async () => {
    const id = '0d9c1c6e-6a4f-4c35-8a43-a3ce5a3b2a12';
    const stateFile = path.join(await mkdtemp(path.join(os.tmpdir(), 'parley-extremes-')), 'state.jsonl');
    const lines = [
      { format: 'parley-state', version: 1, savedAt: new Date().toISOString(), clockOffsetMs: 0, fixtures: {} },
      {
        record: [
          'edited',
          'feather.sessions',
          id,
          { id, title: null, status: 'active', created_at: 'x', updated_at: 'x', messages: 'oops' },
        ],
      },
      { end: { records: 1, indexes: 0 } },
    ];
    await writeFile(stateFile, `${lines.map((line) => JSON.stringify(line)).join('\n')}\n`);
    const loaded = await startBundledMock({ stateFile });
    try {
      const reply = await postJson(loaded.url, PATHS.featherMessages(id), { content: 'hello' }, featherKey('edited'));
      expect(reply.status, reply.text).toBe(200);
      const state = (await getJson(loaded.url, '/__parley/state', featherKey('edited'))).body;
      expect(state.tenants.edited['feather.sessions'][id].messages).toHaveLength(2);
    } finally {
      await loaded.close();
    }
  });
});
