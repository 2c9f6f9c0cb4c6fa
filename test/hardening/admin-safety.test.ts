/**
 * The admin endpoints are safe by default: only keys the mock accepts reach them, browser pages on
 * other sites cannot drive them (JSON content type, Host and Origin checked, no CORS unless
 * `--cors-admin`), clock moves stay within representable dates, and keyless reads see only the
 * shared anonymous tenant. After every refused call the other tenants' state is as before.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningMock } from '../../src/mock/server.js';
import { getJson, postJson, send } from '../helpers/http.js';
import { DEMO_AGENT_ID, featherKey, PATHS, startBundledMock } from '../helpers/mock.js';
import { rawRequest, type RawResponse } from './raw-http.js';

async function rawExchange(port: number, head: string): Promise<RawResponse> {
  const outcome = await rawRequest(port, { head });
  expect(outcome.response, outcome.error).toBeDefined();
  return outcome.response!;
}

const ADMIN = { 'x-parley-admin-token': 'safety-admin' };
const USER = '6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f';
const good = featherKey('good');

let mock: RunningMock;
let everything: string;

const fullState = async () => JSON.stringify((await getJson(mock.url, '/__parley/state', ADMIN)).body);

/** Nothing changed for anyone, and every API still creates. */
async function expectUntouched(): Promise<void> {
  expect(await fullState()).toBe(everything);
  const created = await postJson(mock.url, PATHS.featherSessions, { title: 'still works' }, featherKey('other'));
  expect(created.status, created.text).toBe(201);
  expect(Number.isNaN(Date.parse(created.body.created_at))).toBe(false);
  const eliza = await postJson(mock.url, PATHS.elizaSessions, { agentId: DEMO_AGENT_ID, userId: USER });
  expect(eliza.status, eliza.text).toBe(201);
  everything = await fullState();
}

beforeAll(async () => {
  mock = await startBundledMock({ apiKeys: ['good', 'other'], adminToken: ADMIN['x-parley-admin-token'], seed: 5 });
  expect((await postJson(mock.url, PATHS.featherSessions, { title: 'kept' }, good)).status).toBe(201);
  expect((await postJson(mock.url, PATHS.elizaSessions, { agentId: DEMO_AGENT_ID, userId: USER })).status).toBe(201);
  everything = await fullState();
});
afterAll(() => mock?.close());

describe('admin calls only for keys the mock accepts', () => {
  it.each([
    ['a key outside --api-key', featherKey('__proto__')],
    ['another unknown key', featherKey('stranger')],
    ['no key at all', {}],
  ])('%s is refused with 401 for state, seeds, resets, requests, fixtures and clock', async (_name, headers) => {
    for (const [method, path] of [
      ['GET', '/__parley/state'],
      ['POST', '/__parley/state'],
      ['POST', '/__parley/reset'],
      ['GET', '/__parley/requests'],
      ['POST', '/__parley/fixtures'],
      ['POST', '/__parley/clock'],
    ]) {
      const response = await send(
        mock.url,
        method,
        path,
        method === 'POST' ? { json: { title: { x: 1 } }, headers } : { headers },
      );
      expect(response.status, `${method} ${path}: ${response.text}`).toBe(401);
      expect(response.body.error).toBe('invalid_api_key');
    }
    await expectUntouched();
  });

  it('an accepted key and the admin token get in; health needs no key', async () => {
    expect((await getJson(mock.url, '/__parley/state', good)).status).toBe(200);
    expect((await getJson(mock.url, '/__parley/state?tenant=good', ADMIN)).status).toBe(200);
    expect((await getJson(mock.url, '/__parley/health')).status).toBe(200);
  });
});

describe('browser pages on other sites', () => {
  it('a text/plain POST (a simple cross-site request) is refused with 415 and resets nothing', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', undefined]) {
      const headers = { ...good, ...(type ? { 'content-type': type } : {}) };
      const response = await send(mock.url, 'POST', '/__parley/reset', { raw: '{}', headers });
      expect(response.status, response.text).toBe(415);
    }
    await expectUntouched();
  });

  it('a Host that is not loopback (DNS rebinding) is refused with 403', async () => {
    const answer = await rawExchange(
      mock.port,
      `POST /__parley/reset HTTP/1.1\r\nHost: attacker.example:${mock.port}\r\nx-api-key: good\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`,
    );
    expect(answer.status).toBe(403);
    expect(answer.body.error).toBe('host_not_allowed');
    for (const host of ['localhost', `127.0.0.1:${mock.port}`, `[::1]:${mock.port}`, 'app.localhost']) {
      const ok = await rawExchange(
        mock.port,
        `GET /__parley/state HTTP/1.1\r\nHost: ${host}\r\nx-api-key: good\r\nConnection: close\r\n\r\n`,
      );
      expect(ok.status, host).toBe(200);
    }
    await expectUntouched();
  });

  it('an Origin from another site is refused with 403; a page on localhost is answered, without CORS headers', async () => {
    for (const origin of ['https://attacker.example', 'null', 'http://127.0.0.1.attacker.example']) {
      const response = await postJson(mock.url, '/__parley/reset', {}, { ...good, origin });
      expect(response.status, origin).toBe(403);
      expect(response.body.error).toBe('origin_not_allowed');
    }
    const local = await getJson(mock.url, '/__parley/state', { ...good, origin: 'http://localhost:5173' });
    expect(local.status).toBe(200);
    expect(local.headers['access-control-allow-origin']).toBeUndefined();
    const preflight = await send(mock.url, 'OPTIONS', '/__parley/reset', {
      headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(403);
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    // The API keeps its CORS.
    const api = await postJson(mock.url, PATHS.featherSessions, {}, { ...good, origin: 'https://app.example' });
    expect(api.headers['access-control-allow-origin']).toBe('https://app.example');
    everything = await fullState();
    await expectUntouched();
  });

  it('--allowed-host and --cors-admin open what they name', async () => {
    const open = await startBundledMock({ allowedHosts: ['mock.internal'], corsAdmin: true });
    try {
      const named = await rawExchange(
        open.port,
        `GET /__parley/state HTTP/1.1\r\nHost: mock.internal:4010\r\nConnection: close\r\n\r\n`,
      );
      expect(named.status).toBe(200);
      const other = await rawExchange(
        open.port,
        `GET /__parley/state HTTP/1.1\r\nHost: attacker.example\r\nConnection: close\r\n\r\n`,
      );
      expect(other.status).toBe(403);
      const preflight = await send(open.url, 'OPTIONS', '/__parley/reset', {
        headers: { origin: 'https://tool.example', 'access-control-request-method': 'POST' },
      });
      expect(preflight.status).toBe(204);
      const read = await getJson(open.url, '/__parley/state', { origin: 'https://tool.example' });
      expect(read.status).toBe(200);
      expect(read.headers['access-control-allow-origin']).toBe('https://tool.example');
    } finally {
      await open.close();
    }
  });
});

describe('the clock', () => {
  it.each([
    { advanceMs: 1e20 },
    { advanceMs: -1e20 },
    { advanceMs: 8.64e15 },
    { advanceMinutes: 1e12 },
    { advanceMinutes: -1e12 },
  ])('%j is refused with 400 and the clock stays where it was', async (move) => {
    const before = (await getJson(mock.url, '/__parley/clock', ADMIN)).body.offsetMs;
    const response = await postJson(mock.url, '/__parley/clock', move, ADMIN);
    expect(response.status, response.text).toBe(400);
    expect(response.body.error).toBe('clock_out_of_range');
    expect(response.body.message).toMatch(/0001-01-01 to 9999-12-31/);
    expect((await getJson(mock.url, '/__parley/clock', ADMIN)).body.offsetMs).toBe(before);
    await expectUntouched();
  });

  it('a move within the range is made, and creates go on', async () => {
    const moved = await postJson(mock.url, '/__parley/clock', { advanceMinutes: 60 * 24 * 365 }, ADMIN);
    expect(moved.status).toBe(200);
    expect(moved.body.now).toMatch(/^2026-/);
    const back = await postJson(mock.url, '/__parley/clock', { advanceMinutes: -60 * 24 * 365 }, ADMIN);
    expect(back.status).toBe(200);
    await expectUntouched();
  });
});

describe('a clock offset saved out of range', () => {
  it('stops the start with a message naming the range, and the file is left as it was', async () => {
    const stateFile = path.join(await mkdtemp(path.join(os.tmpdir(), 'parley-clock-')), 'state.jsonl');
    const lines = [
      { format: 'parley-state', version: 1, savedAt: new Date().toISOString(), clockOffsetMs: 1e20, fixtures: {} },
      { end: { records: 0, indexes: 0 } },
    ];
    const text = `${lines.map((line) => JSON.stringify(line)).join('\n')}\n`;
    await writeFile(stateFile, text);
    await expect(startBundledMock({ stateFile })).rejects.toThrow(
      /saved clock offset of 100000000000000000000 ms puts the clock outside the dates the mock can represent \(0001-01-01 to 9999-12-31\)/,
    );
    expect(await readFile(stateFile, 'utf8')).toBe(text);
    await expectUntouched();
  });
});

describe('keyless reads see only the shared anonymous tenant', () => {
  it('without --api-key, no key reads ElizaOS sessions (which belong to no one) but no keyed tenant and no keyed request', async () => {
    const open = await startBundledMock();
    try {
      await postJson(open.url, PATHS.featherSessions, { title: 'private' }, featherKey('owner'));
      await postJson(open.url, '/v1/ask-feather/secret-path?token=owner-secret', {}, featherKey('owner'));
      await postJson(open.url, PATHS.featherSessions, {}, { 'x-api-key': '' });
      await postJson(open.url, PATHS.elizaSessions, { agentId: DEMO_AGENT_ID, userId: USER });
      const state = (await getJson(open.url, '/__parley/state')).body;
      expect(state.tenant).toBe('anonymous');
      expect(Object.keys(state.tenants)).toEqual(['anonymous']);
      expect(Object.keys(state.tenants.anonymous)).toEqual(['eliza.sessions']);
      const log = (await getJson(open.url, '/__parley/requests')).body.requests;
      expect(JSON.stringify(log)).not.toMatch(/secret-path|owner/);
      const ownerLog = (await getJson(open.url, '/__parley/requests', featherKey('owner'))).body.requests;
      expect(ownerLog.map((entry: { path: string }) => entry.path)).toContain(
        '/v1/ask-feather/secret-path?token=owner-secret',
      );
    } finally {
      await open.close();
    }
  });

  it('with --api-key, an accepted key reaches the anonymous tenant by name', async () => {
    const anonymous = await getJson(mock.url, '/__parley/state?tenant=anonymous', good);
    expect(anonymous.status).toBe(200);
    expect(Object.keys(anonymous.body.tenants)).toEqual(['anonymous']);
    expect((await getJson(mock.url, '/__parley/state?tenant=other', good)).status).toBe(403);
  });
});
