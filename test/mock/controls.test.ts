/**
 * Controls a frontend developer expects (compatible with Prism where Prism has them): the Prefer
 * header, latency and error injection, the /__parley/ admin API and --seed determinism.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningMock } from '../../src/mock/server.js';
import { ResponseConformance } from '../helpers/conformance.js';
import { getJson, postJson, send } from '../helpers/http.js';
import {
  BUNDLED_SPECS,
  DEMO_AGENT_ID,
  expectElizaError,
  featherKey,
  fixtureFile,
  julepKey,
  PATHS,
  startBundledMock,
  startSpecMock,
  UUID,
} from '../helpers/mock.js';

const elizaBody = () => ({ agentId: DEMO_AGENT_ID, userId: randomUUID() });

describe('Prefer header (as in Prism)', () => {
  let mock: RunningMock;
  let conformance: ResponseConformance;
  const auth = { authorization: 'Bearer prefer-key' };
  beforeAll(async () => {
    mock = await startSpecMock([...BUNDLED_SPECS, fixtureFile('crud-3.0.yaml'), fixtureFile('crud-3.1.yaml')]);
    conformance = new ResponseConformance(mock.app);
  });
  afterAll(() => mock?.close());

  it('code=404 answers the documented 404 example', async () => {
    const response = await send(mock.url, 'POST', PATHS.elizaSessions, {
      json: elizaBody(),
      headers: { prefer: 'code=404' },
    });
    expect(response.status).toBe(404);
    expect(response.body).toEqual({
      success: false,
      error: { code: '<string>', message: '<string>', details: '<string>' },
    });
  });

  it('code=404 answers a 404 built from the schema where there is no example', async () => {
    const response = await send(mock.url, 'GET', '/pets/anything', { headers: { prefer: 'code=404' } });
    expect(response.status).toBe(404);
    expect(conformance.check('GET', '/pets/anything', response)).toMatchObject({ checked: true, issues: [] });
  });

  it('code=404 simulates a 404 the operation does not document, in the API shape', async () => {
    const session = (await postJson(mock.url, PATHS.featherSessions, {}, featherKey())).body;
    const response = await send(mock.url, 'POST', PATHS.featherMessages(session.id), {
      json: { content: 'hi' },
      headers: { ...featherKey(), prefer: 'code=404' },
    });
    expect(response.status).toBe(404);
    expect(response.body).toEqual({ detail: expect.any(String) });
  });

  it('code= bypasses state: a documented 201 for an agent that does not exist', async () => {
    const response = await send(mock.url, 'POST', PATHS.elizaSessions, {
      json: { agentId: randomUUID(), userId: randomUUID() },
      headers: { prefer: 'code=201' },
    });
    expect(response.status).toBe(201);
    expect(response.body.sessionId).toBe('<string>');
  });

  it('still validates the request first', async () => {
    const response = await send(mock.url, 'POST', PATHS.elizaSessions, {
      json: { agentId: 'nope' },
      headers: { prefer: 'code=201' },
    });
    expectElizaError(response, 400);
  });

  it('example=name answers that named example', async () => {
    const rex = await send(mock.url, 'POST', '/pets', {
      json: { name: 'Ignored' },
      headers: { prefer: 'example=rex' },
    });
    expect(rex.status).toBe(201);
    expect(rex.body).toEqual({ id: 'rex', name: 'Rex', tag: 'dog', weight: 12 });
    const degraded = await send(mock.url, 'GET', '/status', { headers: { prefer: 'example=degraded' } });
    expect(degraded.body.status).toBe('degraded');
    const combined = await send(mock.url, 'GET', '/status', { headers: { prefer: 'code=200, example=healthy' } });
    expect(combined.body.status).toBe('ok');
  });

  it('example= naming no example is a client error in the API shape', async () => {
    const response = await send(mock.url, 'GET', '/status', { headers: { prefer: 'example=missing' } });
    expect(response.status).toBe(422);
    expect(response.text).toMatch(/missing/);
  });

  it('dynamic=true answers random data that matches the schema', async () => {
    const bodies = [];
    for (let i = 0; i < 4; i++) {
      const response = await send(mock.url, 'GET', '/version', { headers: { prefer: 'dynamic=true' } });
      expect(response.status).toBe(200);
      expect(conformance.check('GET', '/version', response)).toMatchObject({ checked: true, issues: [] });
      bodies.push(response.text);
    }
    expect(new Set(bodies).size).toBeGreaterThan(1);
    const feather = await send(mock.url, 'POST', PATHS.featherSessions, {
      json: {},
      headers: { ...featherKey(), prefer: 'dynamic=true' },
    });
    expect(feather.status).toBe(201);
    expect(conformance.check('POST', PATHS.featherSessions, feather).issues).toEqual([]);
  });

  it('a request without Prefer goes back to the stateful behaviour', async () => {
    const response = await send(mock.url, 'GET', '/notebooks/n/notes', { headers: auth });
    expect(response.body.items).toEqual([]);
  });
});

describe('latency injection', () => {
  it('delays every answer by a fixed latencyMs', async () => {
    const mock = await startBundledMock({ latencyMs: 150 });
    try {
      const ok = await postJson(mock.url, PATHS.elizaSessions, elizaBody());
      const invalid = await postJson(mock.url, PATHS.elizaSessions, {});
      expect(ok.status).toBe(201);
      expect(invalid.status).toBe(400);
      expect(ok.elapsedMs).toBeGreaterThanOrEqual(140);
      expect(invalid.elapsedMs).toBeGreaterThanOrEqual(140);
    } finally {
      await mock.close();
    }
  });

  it('delays by a random amount inside a [min, max] range', async () => {
    const mock = await startBundledMock({ latencyMs: [60, 90], seed: 1 });
    try {
      for (let i = 0; i < 4; i++) {
        const response = await postJson(mock.url, PATHS.elizaSessions, elizaBody());
        expect(response.elapsedMs).toBeGreaterThanOrEqual(55);
      }
    } finally {
      await mock.close();
    }
  });
});

describe('error-rate injection', () => {
  it('errorRate 1 fails every request with a 500 in the API shape', async () => {
    const mock = await startBundledMock({ errorRate: 1 });
    const conformance = new ResponseConformance(mock.app);
    try {
      const eliza = await postJson(mock.url, PATHS.elizaSessions, elizaBody());
      expect(expectElizaError(eliza, 500).code).toBe('INJECTED_ERROR');
      expect(conformance.check('POST', PATHS.elizaSessions, eliza)).toMatchObject({ checked: true, issues: [] });
      const feather = await postJson(mock.url, PATHS.featherSessions, {}, featherKey());
      expect(feather.status).toBe(500);
      expect(feather.body).toEqual({ detail: expect.any(String) });
      expect((await getJson(mock.url, '/__parley/health')).status).toBe(200);
    } finally {
      await mock.close();
    }
  });

  it('a fractional errorRate fails about that share of requests', async () => {
    const mock = await startBundledMock({ errorRate: 0.5, seed: 3 });
    try {
      const statuses = [];
      for (let i = 0; i < 60; i++)
        statuses.push((await postJson(mock.url, PATHS.julepSessions, {}, julepKey())).status);
      const failed = statuses.filter((status) => status === 500).length;
      expect(statuses.every((status) => status === 201 || status === 500)).toBe(true);
      expect(failed).toBeGreaterThan(10);
      expect(failed).toBeLessThan(50);
    } finally {
      await mock.close();
    }
  });
});

describe('admin endpoints under /__parley/', () => {
  const ADMIN = { 'x-parley-admin-token': 'root' };
  let mock: RunningMock;
  beforeAll(async () => {
    mock = await startBundledMock({ adminToken: 'root' });
  });
  afterAll(() => mock?.close());

  it('health lists the loaded specs', async () => {
    const response = await getJson(mock.url, '/__parley/health');
    expect(response.status).toBe(200);
    expect(response.body.status).toBe('ok');
    expect(response.body.specs.map((s: { name: string }) => s.name).sort()).toEqual(['eliza', 'feather', 'julep']);
  });

  it('state reads back what the caller created', async () => {
    const session = (await postJson(mock.url, PATHS.featherSessions, { title: 'state' }, featherKey('admin-a'))).body;
    const state = await getJson(mock.url, '/__parley/state', featherKey('admin-a'));
    expect(state.body.tenant).toBe('admin-a');
    expect(state.body.tenants['admin-a']['feather.sessions'][session.id]).toMatchObject({ ...session, messages: [] });
  });

  it('seeding state makes records the API then serves', async () => {
    const id = randomUUID();
    const seeded = {
      id,
      title: 'Seeded',
      status: 'active',
      created_at: '2025-01-01T00:00:00.000Z',
      updated_at: '2025-01-01T00:00:00.000Z',
    };
    const response = await postJson(
      mock.url,
      '/__parley/state',
      { 'feather.sessions': { [id]: seeded } },
      featherKey('admin-b'),
    );
    expect(response.body).toEqual({ seeded: 1 });
    const message = await postJson(
      mock.url,
      PATHS.featherMessages(id),
      { content: 'to a seeded session' },
      featherKey('admin-b'),
    );
    expect(message.status, message.text).toBe(200);
    expect(message.body.session_id).toBe(id);
    // Seeded for admin-b only.
    expect((await postJson(mock.url, PATHS.featherMessages(id), { content: 'x' }, featherKey('admin-c'))).status).toBe(
      404,
    );
  });

  it('rejects malformed seed data with 400', async () => {
    expect(
      (await postJson(mock.url, '/__parley/state', { 'feather.sessions': ['not', 'a', 'map'] }, featherKey('admin-b')))
        .status,
    ).toBe(400);
    expect(
      (
        await send(mock.url, 'POST', '/__parley/state', {
          raw: '{oops',
          headers: { ...featherKey('admin-b'), 'content-type': 'application/json' },
        })
      ).status,
    ).toBe(400);
  });

  it('the request log lists the caller’s requests, oldest first', async () => {
    await postJson(mock.url, PATHS.featherSessions, {}, featherKey('admin-log'));
    await postJson(mock.url, PATHS.featherSessions, { title: 1 }, featherKey('admin-log'));
    const log = await getJson(mock.url, '/__parley/requests', featherKey('admin-log'));
    expect(log.body.requests).toEqual([
      expect.objectContaining({
        method: 'POST',
        path: PATHS.featherSessions,
        status: 201,
        tenant: 'admin-log',
        operationId: 'create_session_v1_ask_feather_sessions_post',
      }),
      expect.objectContaining({ method: 'POST', path: PATHS.featherSessions, status: 422 }),
    ]);
  });

  it("reset forgets the caller's state and log, and only the caller's", async () => {
    const mine = (await postJson(mock.url, PATHS.featherSessions, {}, featherKey('reset-me'))).body;
    const theirs = (await postJson(mock.url, PATHS.featherSessions, {}, featherKey('keep-me'))).body;
    expect((await postJson(mock.url, '/__parley/reset', {}, featherKey('reset-me'))).status).toBe(200);
    expect(
      (await postJson(mock.url, PATHS.featherMessages(mine.id), { content: 'x' }, featherKey('reset-me'))).status,
    ).toBe(404);
    expect(
      (await postJson(mock.url, PATHS.featherMessages(theirs.id), { content: 'x' }, featherKey('keep-me'))).status,
    ).toBe(200);
    const log = await getJson(mock.url, '/__parley/requests', featherKey('reset-me'));
    expect(log.body.requests.map((r: { path: string }) => r.path)).toEqual([PATHS.featherMessages(mine.id)]);
  });

  it('with the admin token, state covers every tenant', async () => {
    await postJson(mock.url, PATHS.featherSessions, {}, featherKey('global-1'));
    const all = await getJson(mock.url, '/__parley/state', ADMIN);
    expect(all.body.tenant).toBe('*');
    expect(Object.keys(all.body.tenants)).toEqual(expect.arrayContaining(['global-1', 'keep-me']));
  });

  it('the clock moves forward for expiry testing, with the admin token', async () => {
    expect((await postJson(mock.url, '/__parley/clock', { advanceMinutes: 60 })).status).toBe(403);
    const before = Date.parse((await postJson(mock.url, PATHS.elizaSessions, elizaBody())).body.createdAt);
    const moved = await postJson(mock.url, '/__parley/clock', { advanceMinutes: 60 }, ADMIN);
    expect(moved.status).toBe(200);
    expect(moved.body.offsetMs).toBe(3_600_000);
    const after = Date.parse((await postJson(mock.url, PATHS.elizaSessions, elizaBody())).body.createdAt);
    expect(after - before).toBeGreaterThanOrEqual(3_600_000);
    expect((await postJson(mock.url, '/__parley/clock', { advanceMinutes: 'soon' }, ADMIN)).status).toBe(400);
  });

  it('answers 404 for an unknown admin endpoint', async () => {
    expect((await getJson(mock.url, '/__parley/nothing')).status).toBe(404);
  });
});

describe('--seed makes ids and the clock deterministic', () => {
  /** One of each bundled behaviour, in a fixed order, with fixed inputs. */
  async function script(url: string): Promise<unknown[]> {
    const user = '6f1c2d3e-4b5a-4c6d-8e7f-8091a2b3c4d5';
    const assistant = '0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d';
    const session = await postJson(url, PATHS.featherSessions, { title: 'seeded' }, featherKey());
    const message = await postJson(url, PATHS.featherMessages(session.body.id), { content: 'hello' }, featherKey());
    const conversation = await postJson(
      url,
      PATHS.featherConversations,
      { end_user_id: user, assistant_id: assistant },
      featherKey(),
    );
    const julep = await postJson(url, PATHS.julepSessions, { recall_options: { mode: 'hybrid' } }, julepKey());
    const eliza = await postJson(url, PATHS.elizaSessions, { agentId: DEMO_AGENT_ID, userId: user });
    return [session, message, conversation, julep, eliza].map((r) => ({ status: r.status, body: r.body }));
  }

  it('two servers with the same seed answer the same requests identically', async () => {
    const servers = await Promise.all([
      startBundledMock({ seed: 42 }),
      startBundledMock({ seed: 42 }),
      startBundledMock({ seed: 43 }),
    ]);
    try {
      const [a, b, c] = await Promise.all(servers.map((server) => script(server.url)));
      expect(a).toEqual(b);
      expect(c).not.toEqual(a);
      const first = a[0] as { body: { id: string; created_at: string } };
      expect(first.body.id).toMatch(UUID);
      expect(first.body.created_at.startsWith('2025-01-01T00:00:00')).toBe(true);
    } finally {
      await Promise.all(servers.map((server) => server.close()));
    }
  });
});

describe('CORS, so a browser app on another origin can call the mock', () => {
  let mock: RunningMock;
  beforeAll(async () => {
    mock = await startBundledMock();
  });
  afterAll(() => mock?.close());

  it('answers a preflight with 204 and the asked-for headers', async () => {
    const response = await send(mock.url, 'OPTIONS', PATHS.featherSessions, {
      headers: {
        origin: 'http://localhost:5173',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'x-api-key, content-type',
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers['access-control-allow-origin']).toBe('http://localhost:5173');
    expect(response.headers['access-control-allow-methods']).toMatch(/POST/);
    expect(response.headers['access-control-allow-headers']).toBe('x-api-key, content-type');
  });

  it('marks answers, errors included, as readable by that origin', async () => {
    const headers = { origin: 'http://localhost:5173' };
    const created = await postJson(mock.url, PATHS.featherSessions, {}, { ...featherKey(), ...headers });
    const unauthorized = await postJson(mock.url, PATHS.featherSessions, {}, headers);
    for (const response of [created, unauthorized]) {
      expect(response.headers['access-control-allow-origin']).toBe('http://localhost:5173');
      expect(response.headers['access-control-allow-credentials']).toBe('true');
      expect(response.headers.vary).toBe('Origin');
    }
    expect(unauthorized.status).toBe(401);
  });

  it('leaves the admin endpoints without CORS unless --cors-admin asks for it', async () => {
    const origin = 'http://localhost:5173';
    const health = await send(mock.url, 'GET', '/__parley/health', { headers: { origin } });
    expect(health.status).toBe(200);
    expect(health.headers['access-control-allow-origin']).toBeUndefined();
    const refused = await send(mock.url, 'OPTIONS', '/__parley/state', {
      headers: { origin, 'access-control-request-method': 'DELETE' },
    });
    expect(refused.status).toBe(403);
    const tool = await startBundledMock({ corsAdmin: true });
    try {
      const read = await send(tool.url, 'GET', '/__parley/health', { headers: { origin } });
      expect(read.headers['access-control-allow-origin']).toBe(origin);
      const preflight = await send(tool.url, 'OPTIONS', '/__parley/state', {
        headers: { origin, 'access-control-request-method': 'DELETE' },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers['access-control-allow-methods']).toMatch(/DELETE/);
    } finally {
      await tool.close();
    }
  });

  it('allows any origin, without credentials, for callers that send no Origin', async () => {
    const [created, notFound] = await Promise.all([
      postJson(mock.url, PATHS.featherSessions, {}, featherKey()),
      postJson(mock.url, '/v1/ask-feather/nowhere', {}, featherKey()),
    ]);
    expect([created.status, notFound.status]).toEqual([201, 404]);
    for (const response of [created, notFound]) {
      expect(response.headers['access-control-allow-origin']).toBe('*');
      expect(response.headers['access-control-expose-headers']).toBe('*');
      expect(response.headers['access-control-allow-credentials']).toBeUndefined();
    }
  });

  it('can be turned off', async () => {
    const quiet = await startBundledMock({ cors: false });
    try {
      const response = await postJson(quiet.url, PATHS.elizaSessions, elizaBody(), { origin: 'http://localhost:5173' });
      expect(response.status).toBe(201);
      expect(response.headers['access-control-allow-origin']).toBeUndefined();
    } finally {
      await quiet.close();
    }
  });
});
