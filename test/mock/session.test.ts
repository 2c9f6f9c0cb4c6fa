import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJson, postJson } from '../helpers/http.js';
import { featherKey, PATHS, startBundledMock } from '../helpers/mock.js';
import type { RunningMock } from '../../src/mock/server.js';

describe('session isolation (x-parley-session)', () => {
  let mock: RunningMock;
  beforeAll(async () => {
    mock = await startBundledMock();
  });
  afterAll(() => mock.close());

  const inSession = (session: string, key = 'shared-key') => ({ ...featherKey(key), 'x-parley-session': session });

  it('partitions state under one key: a session never sees another session’s records', async () => {
    const created = await postJson(mock.url, PATHS.featherSessions, {}, inSession('job-1'));
    expect(created.status).toBe(201);
    const own = await postJson(mock.url, PATHS.featherMessages(created.body.id), { content: 'hi' }, inSession('job-1'));
    expect(own.status, own.text).toBe(200);
    expect(
      (await postJson(mock.url, PATHS.featherMessages(created.body.id), { content: 'hi' }, inSession('job-2'))).status,
    ).toBe(404);
    // Without a session the key's own state is a partition of its own too.
    expect(
      (await postJson(mock.url, PATHS.featherMessages(created.body.id), { content: 'hi' }, featherKey('shared-key')))
        .status,
    ).toBe(404);
  });

  it('takes the session from ?parley_session= as well', async () => {
    const created = await postJson(
      mock.url,
      `${PATHS.featherSessions}?parley_session=query-job`,
      {},
      featherKey('shared-key'),
    );
    expect(created.status).toBe(201);
    expect(
      (await postJson(mock.url, PATHS.featherMessages(created.body.id), { content: 'x' }, inSession('query-job')))
        .status,
    ).toBe(200);
    expect(
      (await postJson(mock.url, PATHS.featherMessages(created.body.id), { content: 'x' }, inSession('other-job')))
        .status,
    ).toBe(404);
  });

  it('refuses a session name that is too long or has other characters, in the API’s error shape', async () => {
    for (const bad of ['a'.repeat(65), 'has space', 'slash/es', 'hash#tag']) {
      const answer = await postJson(mock.url, PATHS.featherSessions, {}, inSession(bad));
      expect(answer.status, bad).toBe(400);
      expect(answer.body.detail, answer.text).toMatch(/x-parley-session/);
    }
  });

  it('admin state, request log and reset act on the caller’s session only', async () => {
    const a = await postJson(mock.url, PATHS.featherSessions, {}, inSession('admin-a', 'admin-key'));
    const b = await postJson(mock.url, PATHS.featherSessions, {}, inSession('admin-b', 'admin-key'));
    const stateA = await getJson(mock.url, '/__parley/state', inSession('admin-a', 'admin-key'));
    expect(stateA.body.tenant).toBe('admin-key#admin-a');
    expect(JSON.stringify(stateA.body.tenants)).toContain(a.body.id);
    expect(JSON.stringify(stateA.body.tenants)).not.toContain(b.body.id);
    const logA = await getJson(mock.url, '/__parley/requests', inSession('admin-a', 'admin-key'));
    expect(logA.body.requests.map((r: { tenant: string }) => r.tenant)).toEqual(['admin-key#admin-a']);

    expect((await postJson(mock.url, '/__parley/reset', {}, inSession('admin-a', 'admin-key'))).status).toBe(200);
    expect(
      (await postJson(mock.url, PATHS.featherMessages(a.body.id), { content: 'x' }, inSession('admin-a', 'admin-key')))
        .status,
    ).toBe(404);
    expect(
      (await postJson(mock.url, PATHS.featherMessages(b.body.id), { content: 'x' }, inSession('admin-b', 'admin-key')))
        .status,
    ).toBe(200);
  });
});
