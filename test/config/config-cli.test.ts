/**
 * Extending parley without forking, through the CLI as a user runs it: a config file's specs,
 * behaviours, fixtures, contracts and checks; flag defaults the command line overrides;
 * --contract and --no-bundled; and every config mistake a clear message with exit 2.
 */
import { randomUUID } from 'node:crypto';
import { copyFile, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/contract/types.js';
import type { RunningMock } from '../../src/mock/server.js';
import { ensureBuilt } from '../helpers/build.js';
import { getJson, postJson } from '../helpers/http.js';
import { DEMO_AGENT_ID, fixtureFile, PATHS, ROOT, SPEC_FILES, startBundledMock } from '../helpers/mock.js';
import { dashboardBannerText } from '../helpers/browser.js';
import { freePort, run, spawnUntil, stopProcess, type Started } from '../helpers/processes.js';
import { startScriptedUpstream } from '../proxy/upstream.js';

const BIN = path.join(ROOT, 'bin/parley.js');
const parleyIn = (cwd: string, ...args: string[]) => run(process.execPath, [BIN, ...args], 60_000, cwd);

/** The user's config: TypeScript, typed against the package, with a behaviour, fixtures, a check and a contract. */
const CONFIG_TS = `import type { ParleyConfig } from ${JSON.stringify(path.join(ROOT, 'src/index.js'))};

interface Pet { id: string; name: string }

const config: ParleyConfig = {
  specs: [
    {
      file: './pets.yaml',
      // The list answers from the config's fixtures, not from the store.
      behaviours: { listPets: (context) => ({ status: 200, body: context.fixtures.list('pets') }) },
    },
  ],
  fixtures: { pets: [{ id: 'p1', name: 'Fixture Pet' }] },
  mock: { port: 0, seed: 11 },
  test: { seed: 3, runs: 4, phases: 'fuzz,stateful' },
  checks: [
    {
      name: 'acme.json_answers',
      description: 'every answer with a body to a valid request is JSON',
      kinds: ['valid'],
      run: ({ response }) =>
        !response || response.text === '' || (response.headers['content-type'] ?? '').includes('json')
          ? { outcome: 'pass' }
          : { outcome: 'fail', message: 'not JSON', expected: 'application/json' },
    },
  ],
  contracts: [
    {
      name: 'acme',
      sequences: [
        {
          name: 'acme.created_pet_is_readable',
          description: 'a created pet can be read back by its id',
          operations: ['POST /pets', 'GET /pets/{petId}'],
          input: (session) => session.validRequest('POST /pets'),
          async run(session, request) {
            const created = await session.send(await session.prepare(request as never));
            const id = (created.response?.json as Pet | undefined)?.id;
            if (created.response?.status !== 201 || !id)
              return { ok: false, message: 'no pet created', expected: '201 with an id', exchange: created };
            const read = await session.send({ operation: session.operation('getPet'), pathParams: { petId: id }, query: {}, headers: {} });
            return read.response?.status === 200
              ? { ok: true }
              : { ok: false, message: \`read answered \${read.response?.status}\`, expected: '200', exchange: read };
          },
        },
      ],
    },
  ],
};
export default config;
`;

/** A check every create breaks: a user check that fails must fail the run, by its name. */
const FAILING_CHECK_MJS = `export default {
  specs: ['./pets.yaml'],
  checks: [{
    name: 'acme.no_created_status',
    description: 'this API never answers 201 (it does: the check must fail)',
    kinds: ['valid'],
    run: ({ response }) => response?.status === 201
      ? { outcome: 'fail', message: 'answered 201', expected: 'any status but 201' }
      : { outcome: 'pass' },
  }],
};
`;

/** A --contract module: a sequence of fixed requests (no input). */
const CONTRACT_MJS = `export default {
  name: 'listing',
  sequences: [{
    name: 'listing.answers_a_list',
    description: 'the pet list is a JSON array',
    operations: ['GET /pets'],
    async run(session) {
      const listed = await session.send({ operation: session.operation('listPets'), pathParams: {}, query: {}, headers: {} });
      return Array.isArray(listed.response?.json)
        ? { ok: true }
        : { ok: false, message: 'not a list', expected: 'a JSON array', exchange: listed };
    },
  }],
};
`;

let dir: string;
let mock: Started;
let mockUrl: string;

async function project(files: Record<string, string>): Promise<string> {
  const folder = await mkdtemp(path.join(os.tmpdir(), 'parley-config-'));
  await copyFile(fixtureFile('crud-3.0.yaml'), path.join(folder, 'pets.yaml'));
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(folder, name), text);
  return folder;
}

const LISTENING = /parley mock listening on (http:\/\/127\.0\.0\.1:(\d+))/;

beforeAll(async () => {
  ensureBuilt();
  dir = await project({
    'parley.config.ts': CONFIG_TS,
    'failing.config.mjs': FAILING_CHECK_MJS,
    'listing.mjs': CONTRACT_MJS,
    'no-generic.config.mjs': `import listing from './listing.mjs';
export default { specs: ['./pets.yaml'], contracts: [{ ...listing, generic: false }] };
`,
  });
  // No spec and no --port given: both come from the config found in the working directory.
  mock = await spawnUntil(process.execPath, [BIN, 'mock'], LISTENING, 30_000, dir);
  mockUrl = mock.match[1];
}, 60_000);

afterAll(async () => {
  if (mock) await stopProcess(mock.child);
});

describe('a config file in the working directory', () => {
  it('serves its specs with its behaviours and fixtures, on the port its mock defaults give', async () => {
    expect(mock.output()).toContain(path.join(dir, 'pets.yaml'));
    expect(Number(mock.match[2])).not.toBe(4010);
    const listed = await getJson(mockUrl, '/pets');
    expect(listed.status).toBe(200);
    expect(listed.body).toEqual([{ id: 'p1', name: 'Fixture Pet' }]);
    // The other operations are still the generic ones: a created pet is stored and read back.
    const created = await postJson(mockUrl, '/pets', { name: 'Rex' });
    expect(created.status).toBe(201);
    expect((await getJson(mockUrl, `/pets/${encodeURIComponent(created.body.id)}`)).body.name).toBe('Rex');
  });

  it('a flag on the command line wins over the config default', async () => {
    const port = await freePort();
    const second = await spawnUntil(process.execPath, [BIN, 'mock', '--port', String(port)], LISTENING, 30_000, dir);
    try {
      expect(Number(second.match[2])).toBe(port);
    } finally {
      await stopProcess(second.child);
    }
  });

  it('runs its contract and its check, with its test defaults (seed, phases)', async () => {
    const json = path.join(dir, 'report.json');
    const result = await parleyIn(dir, 'test', '--target', mockUrl, '--json', json);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/\(seed 3\): the target conforms/);
    const report: Report = JSON.parse(await readFile(json, 'utf8'));
    expect(report.phases).toEqual(['fuzz', 'stateful']);
    const passed = (check: string) =>
      report.tallies.filter((tally) => tally.check === check).reduce((sum, tally) => sum + tally.passed, 0);
    expect(passed('acme.created_pet_is_readable')).toBeGreaterThan(0);
    expect(passed('acme.json_answers')).toBeGreaterThan(0);
    // The user contract does not replace the generic stateful properties: they run beside it.
    expect(passed('crud.echo')).toBeGreaterThan(0);
    expect(passed('crud.use_after_free')).toBeGreaterThan(0);
  });

  it('--no-generic, or a contract saying generic: false, leaves the crud.* sequences out', async () => {
    const checksOf = async (...args: string[]) => {
      const json = path.join(dir, `generic-${randomUUID()}.json`);
      const result = await parleyIn(dir, 'test', '--target', mockUrl, '--phases', 'stateful', '--json', json, ...args);
      expect(result.code, result.stdout + result.stderr).toBe(0);
      return (JSON.parse(await readFile(json, 'utf8')) as Report).tallies.map((tally) => tally.check);
    };
    const flagged = await checksOf('--no-generic');
    expect(flagged).toContain('acme.created_pet_is_readable');
    expect(flagged.filter((check) => check.startsWith('crud.'))).toEqual([]);
    const unknown = await parleyIn(dir, 'test', '--target', mockUrl, '--no-generic', '--only', 'crud.echo');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/"crud\.echo": no such operation, check or sequence/);
    const optedOut = await checksOf('--config', 'no-generic.config.mjs');
    expect(optedOut).toEqual(['listing.answers_a_list']);
  });

  it('--seed and --phases on the command line override the config', async () => {
    const result = await parleyIn(dir, 'test', '--target', mockUrl, '--seed', '9', '--phases', 'stateful');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/phases stateful\).*\(seed 9\)/);
  });

  it('selects user checks and sequences by name; an unknown one is a usage error', async () => {
    const only = await parleyIn(dir, 'test', '--target', mockUrl, '--only', 'acme.created_pet_is_readable');
    expect(only.code, only.stderr).toBe(0);
    expect(only.stdout).toMatch(/the target conforms/);
    const unknown = await parleyIn(dir, 'test', '--target', mockUrl, '--only', 'acme.flow2');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/"acme\.flow2": no such operation, check or sequence/);
    expect(unknown.stderr).toContain('acme.json_answers');
    // A check that judges no request of the selected phase: nothing runs, which is no "conforms".
    const empty = await parleyIn(
      dir,
      'test',
      '--target',
      mockUrl,
      '--only',
      'acme.json_answers',
      '--phases',
      'stateful',
    );
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/nothing to run/);
  });
});

describe('parley proxy --fallback mock', () => {
  it("answers what the upstream lacks with the config's behaviours and fixtures, as parley mock does", async () => {
    // An upstream that has built nothing yet: every operation falls back to the mock.
    const upstream = await startScriptedUpstream((_received, response) => {
      response.writeHead(404, { 'content-type': 'text/plain' });
      response.end('not here');
    });
    const proxy = await spawnUntil(
      process.execPath,
      [BIN, 'proxy', '--upstream', upstream.url, '--fallback', 'mock', '--port', '0'],
      /parley proxy listening on (http:\/\/127\.0\.0\.1:\d+)/,
      30_000,
      dir,
    );
    try {
      const url = proxy.match[1];
      const listed = await getJson(url, '/pets');
      expect(listed.status).toBe(200);
      expect(listed.body).toEqual([{ id: 'p1', name: 'Fixture Pet' }]);
      // Operations without a behaviour stay generic (a 404 the spec documents is the upstream's answer).
      const created = await postJson(url, '/pets', { name: 'Rex' });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ id: expect.any(String), name: 'Rex' });
    } finally {
      await stopProcess(proxy.child);
      await upstream.close();
    }
  }, 60_000);
});

describe('parley mock --watch with a config file', () => {
  /** A config whose list behaviour answers with a header from a module it imports, and with its fixtures. */
  const watchedConfig = (petName: string) => `import { LIST_HEADER } from './list-header.ts';
export default {
  specs: [{ file: './pets.yaml', behaviours: {
    listPets: (context) => ({ status: 200, headers: { 'x-list': LIST_HEADER }, body: context.fixtures.list('pets') }),
  } }],
  fixtures: { pets: [{ id: 'p1', name: ${JSON.stringify(petName)} }] },
};
`;
  const header = (value: string) => `export const LIST_HEADER: string = ${JSON.stringify(value)};\n`;
  const mockIn = (folder: string, ...args: string[]) =>
    spawnUntil(process.execPath, [BIN, 'mock', ...args], LISTENING, 30_000, folder);
  /** Generous: a reload takes well under a second, but the machine is shared. */
  const eventually = async (check: () => Promise<boolean>, what: string) => {
    const deadline = Date.now() + 15_000;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`not picked up in time: ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  it('reloads an edit of the config or of a module it imports, keeps the state, and keeps the last good config', async () => {
    const folder = await project({ 'parley.config.ts': watchedConfig('Before'), 'list-header.ts': header('one') });
    const started = await mockIn(folder, '--watch', '--port', '0');
    try {
      const url = started.match[1];
      const listed = await getJson(url, '/pets');
      expect(listed.body).toEqual([{ id: 'p1', name: 'Before' }]);
      expect(listed.headers['x-list']).toBe('one');
      const created = await postJson(url, '/pets', { name: 'Kept' });
      expect(created.status).toBe(201);
      const petPath = `/pets/${encodeURIComponent(created.body.id)}`;

      // The config itself: its fixtures are the new ones from the next request on.
      await writeFile(path.join(folder, 'parley.config.ts'), watchedConfig('After'));
      await eventually(async () => (await getJson(url, '/pets')).body[0]?.name === 'After', 'the config edit');
      // A module the config imports: read anew, not from a module cache.
      await writeFile(path.join(folder, 'list-header.ts'), header('two'));
      await eventually(
        async () => (await getJson(url, '/pets')).headers['x-list'] === 'two',
        'the imported module edit',
      );
      expect((await getJson(url, petPath)).body.name).toBe('Kept');

      // A broken config: reported on the console and to the dashboard, the last good one still served.
      await writeFile(path.join(folder, 'parley.config.ts'), 'export default { specs: [ };');
      await eventually(async () => /edit was not loaded/.test(started.output()), 'the failure reported');
      expect(started.output()).toMatch(/parley\.config\.ts: cannot load it/);
      const status = await getJson(url, '/__parley/specs');
      expect(status.body.reload.error).toMatch(/parley\.config\.ts: cannot load it/);
      const stillServed = await getJson(url, '/pets');
      expect(stillServed.body).toEqual([{ id: 'p1', name: 'After' }]);
      expect(stillServed.headers['x-list']).toBe('two');

      // A config whose behaviour names no operation is refused the same way.
      await writeFile(path.join(folder, 'parley.config.ts'), watchedConfig('Typo').replace('listPets:', 'listCats:'));
      await eventually(async () => /no operation "listCats"/.test(started.output()), 'the bad behaviour reported');
      expect((await getJson(url, '/pets')).body[0].name).toBe('After');

      // Fixed: served again from the new config, the error cleared, the state still there.
      await writeFile(path.join(folder, 'parley.config.ts'), watchedConfig('Fixed'));
      await eventually(async () => (await getJson(url, '/pets')).body[0]?.name === 'Fixed', 'the fixed config');
      expect((await getJson(url, '/__parley/specs')).body.reload.error).toBeUndefined();
      expect((await getJson(url, petPath)).body.name).toBe('Kept');
    } finally {
      await stopProcess(started.child);
    }
  }, 90_000);
  /** A config with the given `mock` flag defaults and pets fixtures, listed by its behaviour. */
  const configWith = (mock: Record<string, unknown>, pets: { id: string; name: string }[]) => `export default {
  specs: [{ file: './pets.yaml', behaviours: {
    listPets: (context) => ({ status: 200, body: context.fixtures.list('pets') }),
  } }],
  fixtures: { pets: ${JSON.stringify(pets)} },
  mock: ${JSON.stringify(mock)},
};
`;

  it("applies the config's new mock flag defaults from the next request on, and names those that need a restart", async () => {
    const pets = [{ id: 'p1', name: 'One' }];
    const folder = await project({ 'parley.config.mjs': configWith({ port: 0, 'max-body': '1kb' }, pets) });
    const edit = (mock: Record<string, unknown>) =>
      writeFile(path.join(folder, 'parley.config.mjs'), configWith(mock, pets));
    // --latency on the command line: the config's latency never applies, before or after a reload.
    const started = await mockIn(folder, '--watch', '--latency', '0');
    try {
      const url = started.match[1];
      const bigPet = { name: 'x'.repeat(4000) };
      expect((await postJson(url, '/pets', bigPet)).status).toBe(413);
      expect((await getJson(url, '/__parley/state')).status).toBe(200);

      // Run-time settings: the body limit, the accepted keys (which guard the admin endpoints too).
      await edit({ port: 0, 'max-body': '64kb', 'api-key': ['k1'], latency: 5000 });
      await eventually(async () => (await postJson(url, '/pets', bigPet)).status === 201, 'the new --max-body');
      const refused = await getJson(url, '/__parley/state');
      expect(refused.status, refused.text).toBe(401);
      expect(refused.text).toMatch(/key/i);
      const quick = await getJson(url, '/pets');
      expect(quick.status).toBe(200);
      expect(quick.elapsedMs).toBeLessThan(4000);
      expect(started.output()).not.toMatch(/restart to apply/);

      // Settings fixed at start are named, on the console and in the dashboard's status; the rest applies.
      await edit({ port: 1, 'max-records': 5, 'error-rate': 1, 'max-body': '64kb' });
      await eventually(async () => (await getJson(url, '/pets')).status === 500, 'the new --error-rate');
      expect((await getJson(url, '/pets')).text).toContain('Injected failure');
      expect(started.output()).toMatch(/restart to apply the config's new --port, --max-records/);
      const status = await getJson(url, '/__parley/specs');
      expect(status.status).toBe(200);
      expect(status.body.reload.restartToApply).toEqual(['--port', '--max-records']);
      const banner = await dashboardBannerText(url, 'reload-restart');
      expect(banner).toContain('Restart to apply');
      expect(banner).toContain('--port, --max-records');

      // Back to the values it started with: nothing is pending any more, the injected errors stop.
      await edit({ port: 0, 'max-body': '1kb' });
      await eventually(async () => (await getJson(url, '/pets')).status === 200, 'the error rate back to 0');
      expect((await getJson(url, '/__parley/specs')).body.reload.restartToApply).toBeUndefined();
      expect((await postJson(url, '/pets', bigPet)).status).toBe(413);
    } finally {
      await stopProcess(started.child);
    }
  }, 120_000);

  it('a reload drops the fixture records taken out of the config; records a client added stay', async () => {
    const folder = await project({
      'parley.config.mjs': configWith({ port: 0 }, [
        { id: 'p1', name: 'One' },
        { id: 'p2', name: 'Two' },
        { id: 'p3', name: 'Three' },
      ]),
    });
    const edit = (pets: { id: string; name: string }[]) =>
      writeFile(path.join(folder, 'parley.config.mjs'), configWith({ port: 0 }, pets));
    const started = await mockIn(folder, '--watch');
    try {
      const url = started.match[1];
      const listed = async () => ((await getJson(url, '/pets')).body as { id: string }[]).map((pet) => pet.id);
      expect(await listed()).toEqual(['p1', 'p2', 'p3']);
      // A client adds a fixture record of its own and takes over p3; it also creates a pet in the state.
      const added = await postJson(url, '/__parley/fixtures', {
        pets: [
          { id: 'c1', name: 'Client' },
          { id: 'p3', name: 'Three, as the client changed it' },
        ],
      });
      expect(added.status, added.text).toBe(200);
      const created = await postJson(url, '/pets', { name: 'Stored' });
      expect(created.status).toBe(201);

      // p2 and p3 taken out of the config, p1 renamed: p2 goes; p3 is the client's now and stays.
      await edit([{ id: 'p1', name: 'One, renamed' }]);
      await eventually(async () => !(await listed()).includes('p2'), 'the removed record gone');
      const pets = (await getJson(url, '/pets')).body as { id: string; name: string }[];
      expect(pets).toEqual([
        { id: 'p1', name: 'One, renamed' },
        { id: 'p3', name: 'Three, as the client changed it' },
        { id: 'c1', name: 'Client' },
      ]);
      expect((await getJson(url, '/__parley/fixtures')).body.pets.map((pet: { id: string }) => pet.id)).toEqual([
        'p1',
        'p3',
        'c1',
      ]);
      expect((await getJson(url, `/pets/${encodeURIComponent(created.body.id)}`)).body.name).toBe('Stored');

      // Every fixture out of the config: the client's records are all that is left.
      await edit([]);
      await eventually(async () => !(await listed()).includes('p1'), 'the last config record gone');
      expect(await listed()).toEqual(['p3', 'c1']);
    } finally {
      await stopProcess(started.child);
    }
  }, 90_000);
});

describe('--config, --contract', () => {
  it('a failing user check fails the run, by its name', async () => {
    const result = await parleyIn(dir, 'test', '--config', 'failing.config.mjs', '--target', mockUrl, '--runs', '3');
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('acme.no_created_status');
    expect(result.stdout).toContain('answered 201');
  });

  it('--contract adds a module exporting a contract; its sequence runs and is selectable', async () => {
    const json = path.join(dir, 'listing.json');
    const result = await parleyIn(
      dir,
      'test',
      '--target',
      mockUrl,
      '--contract',
      'listing.mjs',
      '--only',
      'listing.answers_a_list',
      '--json',
      json,
    );
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const report: Report = JSON.parse(await readFile(json, 'utf8'));
    expect(report.tallies.map((tally) => tally.check)).toEqual(['listing.answers_a_list']);
    expect(report.tallies[0].passed).toBeGreaterThan(0);
  });
});

describe('--no-bundled', () => {
  let bundled: RunningMock;
  beforeAll(async () => {
    bundled = await startBundledMock({ apiKeys: ['key-alpha'] });
  });
  afterAll(async () => bundled?.close());

  it('parley mock serves an ElizaOS spec generically: no agents, any agentId creates a session', async () => {
    const folder = await mkdtemp(path.join(os.tmpdir(), 'parley-no-bundled-'));
    const started = await spawnUntil(
      process.execPath,
      [BIN, 'mock', '--no-bundled', '--port', '0', SPEC_FILES.eliza],
      LISTENING,
      30_000,
      folder,
    );
    try {
      const url = started.match[1];
      expect(started.output()).not.toContain('demo ElizaOS agent');
      expect((await getJson(url, '/__parley/fixtures')).body).toEqual({});
      const session = await postJson(url, PATHS.elizaSessions, { agentId: randomUUID(), userId: randomUUID() });
      expect(session.status).toBe(201);
    } finally {
      await stopProcess(started.child);
    }
    // The same request to the bundled behaviour: an unknown agent is a 404.
    const bundledAnswer = await postJson(bundled.url, PATHS.elizaSessions, {
      agentId: randomUUID(),
      userId: randomUUID(),
    });
    expect(bundledAnswer.status).toBe(404);
    const demo = await postJson(bundled.url, PATHS.elizaSessions, { agentId: DEMO_AGENT_ID, userId: randomUUID() });
    expect(demo.status).toBe(201);
  });

  it('parley test tests a Feather spec generically: no feather.* sequence exists', async () => {
    const folder = await mkdtemp(path.join(os.tmpdir(), 'parley-no-bundled-'));
    const args = ['test', '--target', bundled.url, '--api-key', 'key-alpha', SPEC_FILES.feather];
    const named = await parleyIn(folder, ...args, '--no-bundled', '--only', 'feather.get_or_create_returns_same');
    expect(named.code).toBe(2);
    expect(named.stderr).toMatch(/no such operation, check or sequence/);
    const json = path.join(folder, 'report.json');
    const generic = await parleyIn(
      folder,
      ...args,
      '--no-bundled',
      '--phases',
      'stateful',
      '--runs',
      '2',
      '--json',
      json,
    );
    expect([0, 1], generic.stderr).toContain(generic.code);
    const checks = (JSON.parse(await readFile(json, 'utf8')) as Report).tallies.map((tally) => tally.check);
    expect(checks.some((check) => check.startsWith('crud.'))).toBe(true);
    expect(checks.some((check) => check.startsWith('feather.'))).toBe(false);
  });
});

describe('config mistakes are usage errors (exit 2) that say what is wrong', () => {
  const cases: [string, Record<string, string>, string[], RegExp][] = [
    ['an unknown key', { 'parley.config.json': '{"spec": ["pets.yaml"]}' }, ['validate'], /unknown key "spec"/],
    [
      'a value of the wrong type',
      {
        'parley.config.mjs': `export default { checks: [{ name: 'x', description: '', kinds: ['sometimes'], run() {} }] };`,
      },
      ['validate', 'pets.yaml'],
      /checks\[0\]\.kinds\[0\] must be one of valid/,
    ],
    [
      'an unknown flag',
      { 'parley.config.json': '{"specs": ["pets.yaml"], "test": {"max-tiem": "5s"}}' },
      ['test', '--target', 'http://127.0.0.1:9'],
      /test\["max-tiem"\]: parley test has no flag --max-tiem/,
    ],
    [
      'a flag value of the wrong kind',
      { 'parley.config.json': '{"mock": {"no-cors": "yes"}}' },
      ['mock', 'pets.yaml'],
      /mock\["no-cors"\] must be true or false/,
    ],
    [
      'fixtures without ids',
      { 'parley.config.json': '{"specs": ["pets.yaml"], "fixtures": {"pets": [{"name": "no id"}]}}' },
      ['mock', '--port', '0'],
      /fixtures: pets\[0\] needs an "id"/,
    ],
    [
      'a missing --config file',
      {},
      ['validate', '--config', 'nowhere.ts', 'pets.yaml'],
      /--config nowhere\.ts: no such file/,
    ],
    ['a missing spec file', { 'parley.config.json': '{"specs": ["gone.yaml"]}' }, ['validate'], /gone\.yaml/],
    [
      'a syntax error',
      { 'parley.config.ts': 'export default { specs: [ };' },
      ['validate', 'pets.yaml'],
      /parley\.config\.ts: cannot load it/,
    ],
    [
      'a behaviour for an operation the spec does not have',
      {
        'parley.config.mjs': `export default { specs: [{ file: 'pets.yaml', behaviours: { listCats: () => ({ status: 200 }) } }] };`,
      },
      ['mock', '--port', '0'],
      /no operation "listCats" in that spec/,
    ],
    [
      'a check named like a built-in one',
      {
        'parley.config.mjs': `export default { specs: ['pets.yaml'], checks: [{ name: 'response_received', description: '', kinds: ['valid'], run: () => ({ outcome: 'pass' }) }] };`,
      },
      ['test', '--target', 'http://127.0.0.1:9'],
      /a check named response_received already exists/,
    ],
    [
      'a contract whose generic is not a boolean',
      {
        'parley.config.mjs': `export default { specs: ['pets.yaml'], contracts: [{ name: 'x', sequences: [], generic: 'no' }] };`,
      },
      ['test', '--target', 'http://127.0.0.1:9'],
      /contracts\[0\]\.generic must be a boolean/,
    ],
    [
      'a --contract file that exports none',
      { 'empty.mjs': 'export const x = 1;' },
      ['test', '--target', 'http://127.0.0.1:9', 'pets.yaml', '--contract', 'empty.mjs'],
      /exports no contract/,
    ],
  ];

  it.each(cases)('%s', async (_name, files, args, message) => {
    const folder = await project(files);
    const result = await parleyIn(folder, ...args);
    expect(result.code, result.stdout + result.stderr).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
  });
});
