/**
 * `parley mock --state-file` as a real process: state survives SIGTERM and SIGKILL (periodic saves),
 * shutdown finishes in-flight requests first, and a corrupt file stops the start, untouched.
 */
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../helpers/build.js';
import { getJson, postJson } from '../helpers/http.js';
import { DEMO_AGENT_ID, featherKey, PATHS, ROOT } from '../helpers/mock.js';
import { run, stopProcess } from '../helpers/processes.js';
import { BIN, startStateMock, type MockProcess } from '../helpers/state-mock.js';

const ADMIN = { 'x-parley-admin-token': 'restart-admin' };
const AGENT = { id: '00000000-0000-4000-8000-00000000a9e7', name: 'Persisted' };

type Mock = MockProcess;
const startMock = (stateFile: string, ...extra: string[]) =>
  startStateMock(stateFile, ADMIN['x-parley-admin-token'], ...extra);

const tempDir = () => mkdtemp(path.join(os.tmpdir(), 'parley-state-'));
const exited = (mock: Mock) =>
  new Promise<number | null>((resolve) => mock.child.once('exit', (code) => resolve(code)));

beforeAll(() => ensureBuilt(), 120_000);

describe('restarts with --state-file', () => {
  it('saves everything on SIGTERM and loads it on start: records, get-or-create index, fixtures, clock', async () => {
    const file = path.join(await tempDir(), 'state.jsonl');
    const first = await startMock(file);
    const session = await postJson(first.url, PATHS.featherSessions, { title: 'kept' }, featherKey('k'));
    await postJson(first.url, PATHS.featherMessages(session.body.id), { content: 'remember me' }, featherKey('k'));
    const conversationBody = { end_user_id: DEMO_AGENT_ID, assistant_id: DEMO_AGENT_ID };
    const conversation = await postJson(first.url, PATHS.featherConversations, conversationBody, featherKey('k'));
    expect((await postJson(first.url, '/__parley/fixtures', { agents: [AGENT] }, ADMIN)).status).toBe(200);
    expect((await postJson(first.url, '/__parley/clock', { advanceMinutes: 90 }, ADMIN)).status).toBe(200);
    const before = (await getJson(first.url, '/__parley/state', ADMIN)).body;
    expect(await stopProcess(first.child)).toBe(0);

    const second = await startMock(file);
    try {
      expect((await getJson(second.url, '/__parley/state', ADMIN)).body).toEqual(before);
      expect((await getJson(second.url, '/__parley/clock', ADMIN)).body.offsetMs).toBe(90 * 60_000);
      expect((await getJson(second.url, '/__parley/fixtures')).body.agents).toContainEqual(AGENT);
      // The get-or-create index came back too: the same body finds the same conversation.
      expect((await postJson(second.url, PATHS.featherConversations, conversationBody, featherKey('k'))).body.id).toBe(
        conversation.body.id,
      );
      const reply = await postJson(
        second.url,
        PATHS.featherMessages(session.body.id),
        { content: 'still there?' },
        featherKey('k'),
      );
      expect(reply.status).toBe(200);
    } finally {
      await stopProcess(second.child);
    }
  });

  it('saves periodically, so a killed process loses at most the last interval', async () => {
    const file = path.join(await tempDir(), 'state.jsonl');
    const first = await startMock(file, '--save-interval', '0.2');
    const session = await postJson(first.url, PATHS.featherSessions, { title: 'before the crash' }, featherKey('k'));
    await postJson(
      first.url,
      PATHS.featherMessages(session.body.id),
      { content: 'appended in place' },
      featherKey('k'),
    );
    const deadline = Date.now() + 5_000;
    while (!(await readFile(file, 'utf8')).includes('appended in place') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    first.child.kill('SIGKILL');
    await exited(first);

    const second = await startMock(file);
    try {
      const state = (await getJson(second.url, '/__parley/state?tenant=k', ADMIN)).body;
      expect(
        state.tenants.k['feather.sessions'][session.body.id].messages.map((m: { content: string }) => m.content),
      ).toContain('appended in place');
    } finally {
      await stopProcess(second.child);
    }
  });

  it('SIGTERM while a slow request is in flight: it is answered, then saved, then the process exits 0', async () => {
    const file = path.join(await tempDir(), 'state.jsonl');
    const mock = await startMock(file, '--latency', '1500');
    const inFlight = postJson(mock.url, PATHS.featherSessions, { title: 'in flight' }, featherKey('k'));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const exit = exited(mock);
    const signalled = performance.now();
    mock.child.kill('SIGTERM');
    const response = await inFlight;
    expect(response.status).toBe(201);
    expect(await exit).toBe(0);
    // Done once the answer is out, not at the end of the 5 s grace period the keep-alive socket could hold it to.
    expect(performance.now() - signalled).toBeLessThan(3_500);
    expect(await readFile(file, 'utf8')).toContain(response.body.id);
  });
});

describe('a state file that cannot be loaded', () => {
  const cases: [string, (valid: string) => string, RegExp][] = [
    ['not JSON at all', () => 'this is not a state file\n', /is not a parley state file/],
    ['JSON of something else', () => '{"tenants": {}}\n', /is not a parley state file/],
    ['cut short', (valid) => valid.slice(0, valid.lastIndexOf('{"end"')), /cut short/],
    ['a damaged line', (valid) => valid.replace('"record":[', '"record":[[['), /corrupt at line \d+: not valid JSON/],
    ['empty', () => '', /is empty/],
    [
      'a record changed after it was written (still valid JSON)',
      (valid) => valid.replace('"title":"x"', '"title":"y"'),
      /corrupt at line \d+: the journal batch ending here does not match its checksum/,
    ],
    [
      'a journal batch that does not match its commit line',
      (valid) => valid.replace('{"commit":{"lines":1,', '{"commit":{"lines":2,'),
      /the commit counts 2 lines, its batch has 1/,
    ],
  ];

  let valid: string;
  beforeAll(async () => {
    const file = path.join(await tempDir(), 'state.jsonl');
    const mock = await startMock(file);
    await postJson(mock.url, PATHS.featherSessions, { title: 'x' }, featherKey('k'));
    await stopProcess(mock.child);
    valid = await readFile(file, 'utf8');
  }, 30_000);

  for (const [name, damage, message] of cases) {
    it(`${name}: exit 2, a message naming the file, the file left as it was`, async () => {
      const dir = await tempDir();
      const file = path.join(dir, 'state.jsonl');
      const content = damage(valid);
      await writeFile(file, content);
      const result = await run(process.execPath, [BIN, 'mock', '--port', '0', '--state-file', file], 20_000, ROOT);
      expect(result.code, result.stdout + result.stderr).toBe(2);
      expect(result.stderr).toContain(file);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect(await readFile(file, 'utf8')).toBe(content);
      expect(await readdir(dir)).toEqual(['state.jsonl']);
    });
  }
});
