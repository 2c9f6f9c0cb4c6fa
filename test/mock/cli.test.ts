/** The `parley` CLI as a user runs it: a child process, exit codes, messages, and a mock it serves. */
import type { ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../helpers/build.js';
import { postJson } from '../helpers/http.js';
import { DEMO_AGENT_ID, featherKey, fixtureFile, PATHS, ROOT, SPEC_FILES, tempJsonFile } from '../helpers/mock.js';
import { freePort, run, spawnUntil, stopProcess } from '../helpers/processes.js';

const BIN = path.join(ROOT, 'bin/parley.js');
const LISTENING = /listening on (http:\/\/127\.0\.0\.1:\d+)/;

const parley = (...args: string[]) => run(process.execPath, [BIN, ...args], 20_000, ROOT);

beforeAll(() => ensureBuilt(), 120_000);

describe.concurrent('help and usage', () => {
  it('--help prints the commands and exits 0', async ({ expect }) => {
    const result = await parley('--help');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/parley mock/);
    expect(result.stdout).toMatch(/parley validate/);
  });

  it('no command prints the help and exits 2', async ({ expect }) => {
    const result = await parley();
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/Usage/);
  });

  it('an unknown command exits 2 naming it', async ({ expect }) => {
    const result = await parley('frobnicate');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/unknown command "frobnicate"/);
  });

  it('mock --help lists its options and exits 0', async ({ expect }) => {
    const result = await parley('mock', '--help');
    expect(result.code).toBe(0);
    for (const option of ['--port', '--seed', '--api-key', '--latency', '--error-rate', '--fixtures'])
      expect(result.stdout).toContain(option);
  });
});

// Each case is its own short-lived process; running them side by side keeps the file quick.
describe.concurrent('parley mock: bad usage exits 2 with a one-line reason', () => {
  const cases: [string, string[], RegExp][] = [
    ['a port that is not a number', ['--port', 'abc'], /--port expects a whole number/],
    ['a port out of range', ['--port', '70000'], /--port/],
    ['an error rate above 1', ['--error-rate', '2'], /--error-rate/],
    ['a latency range upside down', ['--latency', '9-3'], /--latency/],
    ['a negative latency', ['--latency=-5'], /--latency expects/],
    ['an unknown option', ['--frobnicate'], /frobnicate/],
    ['a malformed body limit', ['--max-body', 'lots'], /--max-body/],
    ['a memory budget too small to hold a record', ['--max-memory', '0'], /--max-memory must be at least 1024 bytes/],
    ['a malformed record limit', ['--max-record-size', 'huge'], /--max-record-size expects a size/],
    ['a connection cap of zero', ['--max-connections', '0'], /--max-connections/],
    ['a missing spec file', ['/nonexistent/spec.yaml'], /nonexistent\/spec\.yaml/],
    ['a missing fixtures file', ['--port', '0', '--fixtures', '/nonexistent/fixtures.json'], /fixtures/],
  ];
  for (const [name, args, message] of cases) {
    it(name, async ({ expect }) => {
      const result = await parley('mock', ...args);
      expect(result.code, result.stdout + result.stderr).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
    });
  }

  it('a spec that is not valid OpenAPI', async ({ expect }) => {
    const bad = await tempJsonFile('bad.json', {
      openapi: '3.1.0',
      info: { title: 'x' },
      paths: { '/a': { get: { responses: 7 } } },
    });
    const result = await parley('mock', '--port', '0', bad);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(bad);
  });

  it('a Swagger 2.0 file', async ({ expect }) => {
    const swagger = await tempJsonFile('swagger.json', {
      swagger: '2.0',
      info: { title: 'old', version: '1' },
      paths: {},
    });
    const result = await parley('mock', '--port', '0', swagger);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/OpenAPI 3\.0 and 3\.1/);
  });

  it('a port already in use', async ({ expect }) => {
    const blocker = net.createServer();
    const port = await new Promise<number>((resolve) =>
      blocker.listen(0, '127.0.0.1', () => resolve((blocker.address() as net.AddressInfo).port)),
    );
    try {
      const result = await parley('mock', '--port', String(port));
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/EADDRINUSE|in use/);
    } finally {
      blocker.close();
    }
  });
});

describe('parley validate', () => {
  it('accepts valid 3.0 and 3.1 files, listing their operations', async () => {
    const result = await parley('validate', SPEC_FILES.feather, fixtureFile('crud-3.0.yaml'));
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/feather\.yaml: valid OpenAPI 3\.1/);
    expect(result.stdout).toMatch(/crud-3\.0\.yaml: valid OpenAPI 3\.0/);
    expect(result.stdout).toMatch(/POST\s+\/v1\/v2\/conversations/);
  });

  it('exits 2 without a file, or with a file that is not OpenAPI', async () => {
    expect((await parley('validate')).code).toBe(2);
    const bad = await tempJsonFile('bad.yaml', 'openapi: 3.1.0\ninfo: [not, an, object]\npaths: {}\n');
    const result = await parley('validate', bad);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(bad);
  });
});

describe('parley mock serves', () => {
  const started: ChildProcess[] = [];
  /** Starts `parley mock --port 0 ...` and returns its URL from the banner. */
  async function startCli(...args: string[]): Promise<string> {
    const { child, match } = await spawnUntil(
      process.execPath,
      [BIN, 'mock', '--port', '0', ...args],
      LISTENING,
      20_000,
      ROOT,
    );
    started.push(child);
    return match[1];
  }
  afterEach(async () => {
    await Promise.all(started.splice(0).map((child) => stopProcess(child)));
  });
  afterAll(async () => {
    await Promise.all(started.splice(0).map((child) => stopProcess(child)));
  });

  it('the bundled specs by default, with the demo agent, and stops cleanly on SIGTERM', async () => {
    const { child, match, output } = await spawnUntil(
      process.execPath,
      [BIN, 'mock', '--port', '0'],
      LISTENING,
      20_000,
      ROOT,
    );
    const url = match[1];
    expect(output()).toContain(DEMO_AGENT_ID);
    expect((await postJson(url, PATHS.elizaSessions, { agentId: DEMO_AGENT_ID, userId: DEMO_AGENT_ID })).status).toBe(
      201,
    );
    expect((await postJson(url, PATHS.featherSessions, {}, featherKey())).status).toBe(201);
    expect(await stopProcess(child)).toBe(0);
  });

  it('--api-key restricts the keys it accepts', async () => {
    const url = await startCli('--api-key', 'cli-key-1', '--api-key', 'cli-key-2');
    expect((await postJson(url, PATHS.featherSessions, {}, featherKey('cli-key-2'))).status).toBe(201);
    expect((await postJson(url, PATHS.featherSessions, {}, featherKey('other'))).status).toBe(401);
    expect((await postJson(url, PATHS.featherSessions, {})).status).toBe(401);
  });

  it('--latency and --error-rate inject delay and failures', async () => {
    const url = await startCli('--latency', '120', '--error-rate', '1');
    const response = await postJson(url, PATHS.elizaSessions, { agentId: DEMO_AGENT_ID, userId: DEMO_AGENT_ID });
    expect(response.status).toBe(500);
    expect(response.body).toMatchObject({ success: false, error: { code: 'INJECTED_ERROR' } });
    expect(response.elapsedMs).toBeGreaterThanOrEqual(110);
  });

  it('--seed gives the same answers from two runs', async () => {
    const [a, b] = await Promise.all([startCli('--seed', '9'), startCli('--seed', '9')]);
    const [first, second] = await Promise.all(
      [a, b].map((url) => postJson(url, PATHS.featherSessions, { title: 'same' }, featherKey())),
    );
    expect(first.status).toBe(201);
    expect(second.body).toEqual(first.body);
  });

  it('other spec files given as arguments, with --fixtures', async () => {
    const agent = { id: '22222222-2222-4222-8222-222222222222', name: 'CLI agent' };
    const fixtures = await tempJsonFile('fixtures.json', { agents: [agent] });
    const url = await startCli('--fixtures', fixtures, fixtureFile('crud-3.0.yaml'), SPEC_FILES.eliza);
    expect((await postJson(url, '/pets', { name: 'Cli' })).status).toBe(201);
    expect((await postJson(url, PATHS.elizaSessions, { agentId: agent.id, userId: agent.id })).status).toBe(201);
    expect((await postJson(url, PATHS.featherSessions, {}, featherKey())).status).toBe(404);
  });

  it('CORS by default, off with --no-cors', async () => {
    const [withCors, without] = await Promise.all([startCli(), startCli('--no-cors')]);
    const origin = { origin: 'http://localhost:3000' };
    expect(
      (await postJson(withCors, PATHS.featherSessions, {}, { ...featherKey(), ...origin })).headers[
        'access-control-allow-origin'
      ],
    ).toBe(origin.origin);
    expect(
      (await postJson(without, PATHS.featherSessions, {}, { ...featherKey(), ...origin })).headers[
        'access-control-allow-origin'
      ],
    ).toBeUndefined();
  });

  it('a port it was asked for', async () => {
    const port = await freePort();
    const { child, match } = await spawnUntil(
      process.execPath,
      [BIN, 'mock', '--port', String(port)],
      LISTENING,
      20_000,
      ROOT,
    );
    started.push(child);
    expect(match[1]).toBe(`http://127.0.0.1:${port}`);
  });
});
