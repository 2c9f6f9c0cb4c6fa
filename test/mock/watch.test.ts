/** --watch: edits to a spec on disk are served without a restart, with the state kept; a broken edit changes nothing. */
import { copyFile, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSpecs } from '../../src/openapi/load.js';
import type { RunningMock } from '../../src/mock/server.js';
import { getJson, postJson, send } from '../helpers/http.js';
import { ensureBuilt } from '../helpers/build.js';
import { dashboardBannerText } from '../helpers/browser.js';
import { DEMO_AGENT_ID, fixtureFile, PATHS, ROOT, SPEC_FILES, startSpecMock, tempJsonFile } from '../helpers/mock.js';
import { spawnUntil, stopProcess } from '../helpers/processes.js';

const AUTH = { authorization: 'Bearer key-watch' };
/** Generous: a reload takes well under a second, but the machine is shared. */
const RELOAD_DEADLINE_MS = 10_000;

async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + RELOAD_DEADLINE_MS;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not picked up within ${RELOAD_DEADLINE_MS} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('parley mock --watch', () => {
  let mock: RunningMock;
  let specFile: string;
  let original: string;
  const reports: { reloaded: number; failures: string[] } = { reloaded: 0, failures: [] };
  let noteId: string;

  const edit = (change: (text: string) => string) =>
    readFile(specFile, 'utf8').then((text) => writeFile(specFile, change(text)));
  const noteStillThere = async () => (await getJson(mock.url, `/notebooks/nb-1/notes/${noteId}`, AUTH)).status === 200;

  beforeAll(async () => {
    specFile = path.join(await mkdtemp(path.join(os.tmpdir(), 'parley-watch-')), 'notes.yaml');
    await copyFile(fixtureFile('crud-3.1.yaml'), specFile);
    original = await readFile(specFile, 'utf8');
    mock = await startSpecMock([specFile], {
      watch: true,
      watchReport: {
        reloaded: () => void reports.reloaded++,
        failed: (message) => void reports.failures.push(message),
      },
    });
    const created = await postJson(
      mock.url,
      '/notebooks/nb-1/notes',
      { text: 'written before any edit, long enough' },
      AUTH,
    );
    expect(created.status, created.text).toBe(201);
    noteId = created.body.id;
  });
  afterAll(() => mock.close());

  it('edit: a changed schema is enforced from the next request on, and the state is kept', async () => {
    const longText = { text: 'x'.repeat(50) };
    expect((await postJson(mock.url, '/notebooks/nb-1/notes', longText, AUTH)).status).toBe(201);
    await edit((text) =>
      text.replace(
        'text: { type: string, minLength: 1, maxLength: 280 }',
        'text: { type: string, minLength: 1, maxLength: 20 }',
      ),
    );
    await eventually(
      async () => (await postJson(mock.url, '/notebooks/nb-1/notes', longText, AUTH)).status === 422,
      'maxLength 20',
    );
    expect(await noteStillThere()).toBe(true);
    expect(reports.failures).toEqual([]);
  });

  it('add operation: a new path is answered', async () => {
    expect((await getJson(mock.url, '/labels')).status).toBe(404);
    await edit((text) =>
      text.replace(
        '  /version:\n',
        "  /labels:\n    get:\n      operationId: listLabels\n      security: []\n      responses:\n        '200':\n          description: Labels\n          content:\n            application/json:\n              schema: { type: array, items: { type: string } }\n              example: [work, home]\n  /version:\n",
      ),
    );
    await eventually(async () => (await getJson(mock.url, '/labels')).status === 200, '/labels added');
    expect((await getJson(mock.url, '/labels', { prefer: 'code=200' })).body).toEqual(['work', 'home']);
    expect(await noteStillThere()).toBe(true);
  });

  it('remove operation: a removed path is no longer answered; the other operations keep their state', async () => {
    expect((await getJson(mock.url, '/version')).status).toBe(200);
    await edit((text) => text.slice(0, text.indexOf('  /version:\n')) + text.slice(text.indexOf('components:\n')));
    await eventually(async () => (await getJson(mock.url, '/version')).status === 404, '/version removed');
    expect(await noteStillThere()).toBe(true);
    expect((await getJson(mock.url, '/labels')).status).toBe(200);
  });

  it('broken edit: the last good spec stays served, and why is reported on the console and in the dashboard', async () => {
    const good = await readFile(specFile, 'utf8');
    await writeFile(specFile, good.replace('paths:\n', 'paths: [\n'));
    await eventually(async () => reports.failures.length > 0, 'the failure reported');
    expect(reports.failures[0]).toMatch(/notes\.yaml/);
    const specs = await getJson(mock.url, '/__parley/specs', AUTH);
    expect(specs.body.reload.error).toBe(reports.failures[0]);
    // The dashboard shows it as a banner.
    const banner = await dashboardBannerText(mock.url, 'reload-error');
    expect(banner).toContain('still serving the previous one');
    expect(banner).toContain('notes.yaml');
    // Still the last good spec: its operations, its state.
    expect((await getJson(mock.url, '/labels')).status).toBe(200);
    expect(await noteStillThere()).toBe(true);
    expect((await postJson(mock.url, '/notebooks/nb-1/notes', { text: 'x'.repeat(50) }, AUTH)).status).toBe(422);

    // A spec that parses but is not valid OpenAPI is refused the same way.
    await writeFile(specFile, 'openapi: 3.1.0\ninfo: {}\npaths: {}\n');
    await eventually(async () => reports.failures.length > 1, 'the second failure reported');
    expect((await getJson(mock.url, '/labels')).status).toBe(200);

    // Fixed: served again, and the dashboard's error is cleared.
    await writeFile(specFile, original);
    await eventually(async () => (await getJson(mock.url, '/version')).status === 200, 'the fixed spec');
    expect((await getJson(mock.url, '/__parley/specs', AUTH)).body.reload.error).toBeUndefined();
    expect(await noteStillThere()).toBe(true);
    expect((await send(mock.url, 'GET', '/labels')).status).toBe(404);
  });
});

describe('parley mock --watch (the CLI)', () => {
  it('prints the dashboard and watch lines, reloads an edit and says why a broken one was not loaded', async () => {
    ensureBuilt();
    const specFile = path.join(await mkdtemp(path.join(os.tmpdir(), 'parley-watch-cli-')), 'notes.yaml');
    await copyFile(fixtureFile('crud-3.1.yaml'), specFile);
    const { child, match, output } = await spawnUntil(
      process.execPath,
      [path.join(ROOT, 'bin/parley.js'), 'mock', specFile, '--port', '0', '--watch'],
      /listening on (http:\/\/127\.0\.0\.1:\d+)/,
      20_000,
      ROOT,
    );
    try {
      const url = match[1];
      await eventually(async () => output().includes('watching the spec'), 'the banner');
      expect(output()).toContain(`dashboard: ${url}/__parley/`);
      await writeFile(specFile, (await readFile(specFile, 'utf8')).replace('paths:\n', 'paths: [\n'));
      await eventually(async () => output().includes('the edit was not loaded'), 'the console message');
      expect(output()).toMatch(/the edit was not loaded, still serving the previous specs: .*notes\.yaml/);
      expect((await getJson(url, '/status')).status).toBe(200);
    } finally {
      expect(await stopProcess(child)).toBe(0);
    }
  }, 60_000);
});

describe('parley mock --watch on a fixtures file', () => {
  it('an agent added to the fixtures is known from the next request; a broken fixtures file changes nothing', async () => {
    const known = '10000000-0000-4000-8000-000000000001';
    const added = '10000000-0000-4000-8000-000000000002';
    const fixtures = await tempJsonFile('agents.json', { agents: [{ id: known, name: 'Known' }] });
    const failures: string[] = [];
    const mock = await startSpecMock([SPEC_FILES.eliza], {
      fixturesFile: fixtures,
      watch: true,
      watchReport: { reloaded: () => undefined, failed: (m) => void failures.push(m) },
    });
    const createSession = (agentId: string) => postJson(mock.url, PATHS.elizaSessions, { agentId, userId: known });
    try {
      expect((await createSession(known)).status).toBe(201);
      expect((await createSession(added)).status).toBe(404);
      await writeFile(
        fixtures,
        JSON.stringify({
          agents: [
            { id: known, name: 'Known' },
            { id: added, name: 'Added' },
          ],
        }),
      );
      await eventually(async () => (await createSession(added)).status === 201, 'the added agent');
      await writeFile(fixtures, '{"agents": "not a list"}');
      await eventually(async () => failures.length > 0, 'the broken fixtures reported');
      expect(failures[0]).toMatch(/agents\.json/);
      expect((await createSession(added)).status).toBe(201);
    } finally {
      await mock.close();
    }
  });
});

describe('parley mock --watch: fixture records taken out of the fixtures file', () => {
  it('go from the next request on; a kind default comes back; an agent a client added stays', async () => {
    const fromFile = '10000000-0000-4000-8000-000000000011';
    const fromClient = '10000000-0000-4000-8000-000000000012';
    const fixtures = await tempJsonFile('agents.json', {
      agents: [
        { id: fromFile, name: 'From the file' },
        { id: DEMO_AGENT_ID, name: 'Demo, renamed by the file' },
      ],
    });
    const mock = await startSpecMock([SPEC_FILES.eliza], {
      fixturesFile: fixtures,
      watch: true,
      watchReport: { reloaded: () => undefined, failed: () => undefined },
    });
    const createSession = (agentId: string) =>
      postJson(mock.url, PATHS.elizaSessions, { agentId, userId: DEMO_AGENT_ID });
    const agentNames = async () =>
      Object.fromEntries(
        ((await getJson(mock.url, '/__parley/fixtures')).body.agents as { id: string; name: string }[]).map((agent) => [
          agent.id,
          agent.name,
        ]),
      );
    try {
      const added = await postJson(mock.url, '/__parley/fixtures', { agents: [{ id: fromClient, name: 'Client' }] });
      expect(added.status, added.text).toBe(200);
      expect((await createSession(fromFile)).status).toBe(201);
      expect((await agentNames())[DEMO_AGENT_ID]).toBe('Demo, renamed by the file');

      await writeFile(fixtures, JSON.stringify({ agents: [] }));
      await eventually(async () => (await createSession(fromFile)).status === 404, 'the removed agent gone');
      expect((await createSession(fromClient)).status).toBe(201);
      expect(await agentNames()).toEqual({ [DEMO_AGENT_ID]: 'Demo Agent', [fromClient]: 'Client' });
    } finally {
      await mock.close();
    }
  });
});

describe('parley mock --watch: server settings a reload brings', () => {
  it('a lower connection cap and request timeout apply to connections opened after the reload', async () => {
    const specFile = fixtureFile('crud-3.0.yaml');
    const settingsFile = await tempJsonFile('settings.json', { requestTimeoutMs: 60_000, maxConnections: 100 });
    let reloads = 0;
    const restarts: string[][] = [];
    // A source like the config's: the specs, and server settings read from a file.
    const source = {
      files: [settingsFile],
      load: async () => ({
        specs: await loadSpecs([specFile]),
        fixtures: [],
        files: [settingsFile],
        settings: JSON.parse(await readFile(settingsFile, 'utf8')),
      }),
    };
    const mock = await startSpecMock([specFile], {
      watch: true,
      requestTimeoutMs: 60_000,
      maxConnections: 100,
      reloadSource: source,
      watchReport: {
        reloaded: (_files, restartToApply) => {
          reloads++;
          restarts.push(restartToApply);
        },
        failed: () => undefined,
      },
    });
    const fresh = new Agent();
    try {
      await writeFile(settingsFile, JSON.stringify({ requestTimeoutMs: 1_000, maxConnections: 1, seed: 5 }));
      await eventually(async () => reloads > 0, 'the reload');
      expect(restarts[0]).toEqual(['--seed']);

      // A client that never finishes its body holds the only connection the cap now allows...
      const slow = net.connect(mock.port, '127.0.0.1');
      let answer = '';
      slow.on('data', (chunk) => (answer += chunk.toString()));
      const closed = new Promise((resolve) => slow.once('close', resolve));
      slow.write(
        'POST /pets HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{',
      );
      await new Promise((resolve) => slow.once('ready', resolve));
      await new Promise((resolve) => setTimeout(resolve, 100));
      const refused = await send(mock.url, 'GET', '/pets', { dispatcher: fresh });
      expect(refused.status, refused.text).toBe(503);
      // ...until the new request timeout cuts it off (generous: Node checks once a second).
      await Promise.race([
        closed,
        new Promise((_, reject) => setTimeout(() => reject(new Error('not cut off')), 15_000)),
      ]);
      expect(answer).toMatch(/^HTTP\/1\.1 408/);
      // The server counts the connection closed a moment after the client sees it close.
      await eventually(async () => {
        const agent = new Agent();
        try {
          return (await send(mock.url, 'GET', '/pets', { dispatcher: agent })).status === 200;
        } finally {
          await agent.close();
        }
      }, 'a connection served again');
    } finally {
      await fresh.close();
      await mock.close();
    }
  }, 30_000);
});

describe('parley mock --watch with a state file: fixture records keep their origin across a restart', () => {
  it("a record the file gave is still the file's after a restart; one a client changed is the client's", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'parley-watch-state-'));
    const stateFile = path.join(dir, 'state.jsonl');
    const fromFile = '10000000-0000-4000-8000-000000000021';
    const changed = '10000000-0000-4000-8000-000000000022';
    const fixtures = await tempJsonFile('agents.json', {
      agents: [
        { id: fromFile, name: 'From the file' },
        { id: changed, name: 'Also from the file' },
      ],
    });
    const start = () =>
      startSpecMock([SPEC_FILES.eliza], {
        fixturesFile: fixtures,
        stateFile,
        watch: true,
        watchReport: { reloaded: () => undefined, failed: () => undefined },
      });
    const first = await start();
    try {
      const rewritten = await postJson(first.url, '/__parley/fixtures', {
        agents: [{ id: changed, name: 'Changed by a client' }],
      });
      expect(rewritten.status, rewritten.text).toBe(200);
    } finally {
      await first.close();
    }
    // Restarted from the state file, which holds both records as they were.
    const mock = await start();
    const agentIds = async () =>
      ((await getJson(mock.url, '/__parley/fixtures')).body.agents as { id: string }[]).map((agent) => agent.id);
    try {
      expect(await agentIds()).toEqual(expect.arrayContaining([fromFile, changed]));
      await writeFile(fixtures, JSON.stringify({ agents: [] }));
      await eventually(async () => !(await agentIds()).includes(fromFile), "the file's record gone");
      const agents = (await getJson(mock.url, '/__parley/fixtures')).body.agents as { id: string; name: string }[];
      expect(agents.find((agent) => agent.id === changed)?.name).toBe('Changed by a client');
    } finally {
      await mock.close();
    }
  });
});
