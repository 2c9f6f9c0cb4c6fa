/**
 * Every 2xx/4xx body the mock returns for the bundled specs matches the schema the operation
 * documents for that status, checked with the spec engine's validator across all behaviours.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningMock } from '../../src/mock/server.js';
import { schemaArbitrary } from '../../src/openapi/arbitrary.js';
import { ResponseConformance } from '../helpers/conformance.js';
import { send, type Headers } from '../helpers/http.js';
import { DEMO_AGENT_ID, featherKey, julepKey, PATHS, startBundledMock } from '../helpers/mock.js';

interface Exchange {
  name: string;
  method?: string;
  path: string | ((context: { sessionId: string }) => string);
  json?: unknown;
  raw?: string;
  headers?: Headers;
  /** The status this exchange must produce, so a changed behaviour cannot pass unnoticed. */
  status: number;
}

const F = featherKey('conformance');
const J = julepKey('conformance');
const uuid = () => randomUUID();

const EXCHANGES: Exchange[] = [
  // Feather sessions and messages.
  { name: 'session with a title', path: PATHS.featherSessions, json: { title: 'Hi' }, headers: F, status: 201 },
  { name: 'session without a title', path: PATHS.featherSessions, json: {}, headers: F, status: 201 },
  { name: 'session with a bad title', path: PATHS.featherSessions, json: { title: [] }, headers: F, status: 422 },
  {
    name: 'session from malformed JSON',
    path: PATHS.featherSessions,
    raw: '{',
    headers: { ...F, 'content-type': 'application/json' },
    status: 422,
  },
  {
    name: 'session as text/plain',
    path: PATHS.featherSessions,
    raw: '{}',
    headers: { ...F, 'content-type': 'text/plain' },
    status: 422,
  },
  {
    name: 'message',
    path: ({ sessionId }) => PATHS.featherMessages(sessionId),
    json: { content: 'hello', workflow: 'w' },
    headers: F,
    status: 200,
  },
  {
    name: 'empty message',
    path: ({ sessionId }) => PATHS.featherMessages(sessionId),
    json: { content: '' },
    headers: F,
    status: 422,
  },
  {
    name: 'message to a malformed id',
    path: PATHS.featherMessages('xyz'),
    json: { content: 'a' },
    headers: F,
    status: 422,
  },
  {
    name: 'Prefer code=422 on sessions',
    path: PATHS.featherSessions,
    json: {},
    headers: { ...F, prefer: 'code=422' },
    status: 422,
  },
  {
    name: 'Prefer dynamic on sessions',
    path: PATHS.featherSessions,
    json: {},
    headers: { ...F, prefer: 'dynamic=true' },
    status: 201,
  },
  // Feather v2 conversations.
  {
    name: 'conversation with an assistant',
    path: PATHS.featherConversations,
    json: { end_user_id: uuid(), assistant_id: uuid(), origin: 'inbound', subject: 's' },
    headers: F,
    status: 201,
  },
  {
    name: 'conversation with a team',
    path: PATHS.featherConversations,
    json: { end_user_id: uuid(), team_id: uuid(), team_revision_id: uuid(), channel: 'voice', session_type: 'test' },
    headers: F,
    status: 201,
  },
  {
    name: 'conversation with tool input overrides',
    path: PATHS.featherConversations,
    json: {
      end_user_id: uuid(),
      assistant_id: uuid(),
      tool_input_overrides: { search: { region: { value: 'eu', type: 'pinned' } } },
    },
    headers: F,
    status: 201,
  },
  {
    name: 'conversation without a binding',
    path: PATHS.featherConversations,
    json: { end_user_id: uuid() },
    headers: F,
    status: 400,
  },
  {
    name: 'conversation with both bindings',
    path: PATHS.featherConversations,
    json: { end_user_id: uuid(), assistant_id: uuid(), team_id: uuid(), team_revision_id: uuid() },
    headers: F,
    status: 400,
  },
  {
    name: 'conversation without a key',
    path: PATHS.featherConversations,
    json: { end_user_id: uuid(), assistant_id: uuid() },
    status: 401,
  },
  {
    name: 'conversation with a bad end_user_id',
    path: PATHS.featherConversations,
    json: { end_user_id: 7, assistant_id: uuid() },
    headers: F,
    status: 422,
  },
  {
    name: 'Prefer code=400 on conversations',
    path: PATHS.featherConversations,
    json: { end_user_id: uuid() },
    headers: { ...F, prefer: 'code=400' },
    status: 400,
  },
  {
    name: 'Prefer dynamic on conversations',
    path: PATHS.featherConversations,
    json: { end_user_id: uuid(), assistant_id: uuid() },
    headers: { ...F, prefer: 'dynamic=true' },
    status: 201,
  },
  // Julep.
  { name: 'Julep session with defaults', path: PATHS.julepSessions, json: {}, headers: J, status: 201 },
  ...(['vector', 'text', 'hybrid'] as const).map((mode) => ({
    name: `Julep session, ${mode} recall`,
    path: PATHS.julepSessions,
    json: { recall_options: { mode } },
    headers: J,
    status: 201,
  })),
  {
    name: 'Julep session, recall without a mode',
    path: PATHS.julepSessions,
    json: { recall_options: { mmr_strength: 1, limit: 50 } },
    headers: J,
    status: 201,
  },
  {
    name: 'Julep session, everything set',
    path: PATHS.julepSessions,
    json: {
      agent: uuid(),
      users: [uuid()],
      situation: 's',
      system_template: 't',
      token_budget: 10,
      context_overflow: 'truncate',
      metadata: { a: 1 },
    },
    headers: J,
    status: 201,
  },
  {
    name: 'Julep session, limit out of bounds',
    path: PATHS.julepSessions,
    json: { recall_options: { mode: 'vector', limit: 51 } },
    headers: J,
    status: 422,
  },
  {
    name: 'Julep session from malformed JSON',
    path: PATHS.julepSessions,
    raw: '{"a":',
    headers: { ...J, 'content-type': 'application/json' },
    status: 422,
  },
  {
    name: 'Prefer dynamic on Julep sessions',
    path: PATHS.julepSessions,
    json: {},
    headers: { ...J, prefer: 'dynamic=true' },
    status: 201,
  },
  // ElizaOS.
  {
    name: 'Eliza session with defaults',
    path: PATHS.elizaSessions,
    json: { agentId: DEMO_AGENT_ID, userId: uuid() },
    status: 201,
  },
  {
    name: 'Eliza session, full timeoutConfig',
    path: PATHS.elizaSessions,
    json: {
      agentId: DEMO_AGENT_ID,
      userId: uuid(),
      metadata: { platform: 'discord', username: 'u' },
      timeoutConfig: { timeoutMinutes: 1440, autoRenew: false, maxDurationMinutes: 60, warningThresholdMinutes: 1 },
    },
    status: 201,
  },
  {
    name: 'Eliza session, timeout out of bounds',
    path: PATHS.elizaSessions,
    json: { agentId: DEMO_AGENT_ID, userId: uuid(), timeoutConfig: { timeoutMinutes: 2 } },
    status: 400,
  },
  {
    name: 'Eliza session, unknown agent',
    path: PATHS.elizaSessions,
    json: { agentId: uuid(), userId: uuid() },
    status: 404,
  },
  {
    name: 'Eliza session from malformed JSON',
    path: PATHS.elizaSessions,
    raw: 'nope',
    headers: { 'content-type': 'application/json' },
    status: 400,
  },
  {
    name: 'Eliza session as text/plain',
    path: PATHS.elizaSessions,
    raw: '{}',
    headers: { 'content-type': 'text/plain' },
    status: 400,
  },
  {
    name: 'Prefer code=404 on Eliza sessions',
    path: PATHS.elizaSessions,
    json: { agentId: DEMO_AGENT_ID, userId: uuid() },
    headers: { prefer: 'code=404' },
    status: 404,
  },
  {
    name: 'Prefer dynamic on Eliza sessions',
    path: PATHS.elizaSessions,
    json: { agentId: DEMO_AGENT_ID, userId: uuid() },
    headers: { prefer: 'dynamic=true' },
    status: 201,
  },
];

/** A bundled mock with one Feather session, and a recorder of every answer's conformance. */
function useMockWithSession() {
  const fixture = {} as { mock: RunningMock; conformance: ResponseConformance; sessionId: string };
  beforeAll(async () => {
    fixture.mock = await startBundledMock();
    fixture.conformance = new ResponseConformance(fixture.mock.app);
    fixture.sessionId = (await send(fixture.mock.url, 'POST', PATHS.featherSessions, { json: {}, headers: F })).body.id;
  });
  afterAll(() => fixture.mock?.close());
  return fixture;
}

describe('responses for the bundled specs match their documented schemas', () => {
  const fixture = useMockWithSession();

  for (const exchange of EXCHANGES) {
    it(`${exchange.name} → ${exchange.status}`, async () => {
      const method = exchange.method ?? 'POST';
      const path =
        typeof exchange.path === 'function' ? exchange.path({ sessionId: fixture.sessionId }) : exchange.path;
      const response = await send(fixture.mock.url, method, path, {
        json: exchange.json,
        raw: exchange.raw,
        headers: exchange.headers,
      });
      expect(response.status, response.text).toBe(exchange.status);
      const verdict = fixture.conformance.check(method, path, response);
      expect(verdict.issues, response.text).toEqual([]);
    });
  }

  it('checked nearly every answer against a documented schema', () => {
    // Only Feather's message 200 documents no body schema.
    const unchecked = fixture.conformance.verdicts
      .filter((verdict) => !verdict.checked)
      .map((verdict) => verdict.exchange);
    expect(unchecked).toEqual([`POST ${PATHS.featherMessages(fixture.sessionId)} → 200`]);
    expect(fixture.conformance.verdicts.length).toBe(EXCHANGES.length);
  });
});

describe('whatever JSON a client sends, the answer is a documented, schema-valid 2xx/4xx', () => {
  const fixture = useMockWithSession();

  // Plausible objects (the operations' own field names) as well as arbitrary JSON and raw text.
  const fieldNames = [
    'title',
    'content',
    'workflow',
    'end_user_id',
    'assistant_id',
    'team_id',
    'team_revision_id',
    'channel',
    'recall_options',
    'agentId',
    'userId',
    'timeoutConfig',
    'mode',
    'limit',
  ];
  const body = fc.oneof(
    fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)),
    fc
      .dictionary(fc.constantFrom(...fieldNames), fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.uuid()))
      .map((value) => JSON.stringify(value)),
    fc.string({ maxLength: 40 }),
  );
  const targets = () => [
    { path: PATHS.featherSessions, headers: F },
    { path: PATHS.featherMessages(fixture.sessionId), headers: F },
    { path: PATHS.featherConversations, headers: F },
    { path: PATHS.julepSessions, headers: J },
    { path: PATHS.elizaSessions, headers: {} },
  ];

  it('holds for generated bodies on every bundled operation', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: 4 }), body, async (index, raw) => {
        const { path, headers } = targets()[index];
        const response = await send(fixture.mock.url, 'POST', path, {
          raw,
          headers: { ...headers, 'content-type': 'application/json' },
        });
        expect(response.status, `${path} ${raw} → ${response.text}`).toBeGreaterThanOrEqual(200);
        expect(response.status, `${path} ${raw} → ${response.text}`).toBeLessThan(500);
        expect(fixture.conformance.check('POST', path, response).issues, `${path} ${raw} → ${response.text}`).toEqual(
          [],
        );
      }),
      { numRuns: 300, seed: 20_251_123 },
    );
    expect(fixture.conformance.verdicts.filter((verdict) => verdict.checked).length).toBeGreaterThan(200);
  });
});

describe('valid requests generated from the request schemas get the documented success answer', () => {
  const fixture = useMockWithSession();

  /** A valid body for the operation at `path`, from the same generator the contract suite uses. */
  function validBodies(path: string): fc.Arbitrary<any> {
    const routed = fixture.mock.app.router.route('POST', path);
    if (routed.kind !== 'matched') throw new Error(`no operation at ${path}`);
    const schema = routed.match.operation.requestBody!.content[0].schema!;
    return schemaArbitrary(schema, { direction: 'request' });
  }

  const cases: {
    name: string;
    path: () => string;
    headers: Headers;
    statuses: number[];
    adjust?: (body: any) => fc.Arbitrary<any>;
  }[] = [
    { name: 'Feather sessions', path: () => PATHS.featherSessions, headers: F, statuses: [201] },
    { name: 'Feather messages', path: () => PATHS.featherMessages(fixture.sessionId), headers: F, statuses: [200] },
    // A generated body binds to an assistant, a team, both or neither: 201 or the documented 400.
    { name: 'Feather v2 conversations', path: () => PATHS.featherConversations, headers: F, statuses: [201, 400] },
    { name: 'Julep sessions', path: () => PATHS.julepSessions, headers: J, statuses: [201] },
    // Mostly the demo agent, so that both the 201 and the unknown-agent 404 are exercised.
    {
      name: 'ElizaOS sessions',
      path: () => PATHS.elizaSessions,
      headers: {},
      statuses: [201, 404],
      adjust: (body) =>
        fc.constantFrom(DEMO_AGENT_ID, DEMO_AGENT_ID, body.agentId).map((agentId) => ({ ...body, agentId })),
    },
  ];

  for (const { name, path, headers, statuses, adjust } of cases) {
    it(name, async () => {
      const seen = new Set<number>();
      const bodies = adjust ? validBodies(path()).chain(adjust) : validBodies(path());
      await fc.assert(
        fc.asyncProperty(bodies, async (body) => {
          const response = await send(fixture.mock.url, 'POST', path(), { json: body, headers });
          seen.add(response.status);
          expect(statuses, `${JSON.stringify(body)} → ${response.status} ${response.text}`).toContain(response.status);
          expect(
            fixture.conformance.check('POST', path(), response).issues,
            `${JSON.stringify(body)} → ${response.text}`,
          ).toEqual([]);
        }),
        { numRuns: 60, seed: 7 },
      );
      expect([...seen].sort()).toEqual([...statuses].sort());
    });
  }
});
