/**
 * `parley test` as CI runs it: a child process against the mock, a faulty server, an unreachable
 * port and bad flags; its exit codes, JUnit and JSON files, --only/--skip, --seed replay, --max-time.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/contract/types.js';
import type { RunningMock } from '../../src/mock/server.js';
import { startBrokenSocketServer, startFaultyServer, type FaultyServer } from '../faulty/server.js';
import { ensureBuilt } from '../helpers/build.js';
import { ROOT, SPEC_FILES, startBundledMock } from '../helpers/mock.js';
import { freePort, run } from '../helpers/processes.js';

const BIN = path.join(ROOT, 'bin/parley.js');
const parley = (...args: string[]) => run(process.execPath, [BIN, 'test', ...args], 60_000, ROOT);

let mock: RunningMock;
let faulty: FaultyServer;
let dir: string;

beforeAll(async () => {
  ensureBuilt();
  mock = await startBundledMock({ apiKeys: ['key-alpha', 'key-beta'] });
  // Answers 200 where the spec documents 201: a status_code_conformance failure on every create.
  faulty = await startFaultyServer([mock.url, mock.url], 'wrong_status');
  dir = await mkdtemp(path.join(os.tmpdir(), 'parley-contract-cli-'));
}, 120_000);

afterAll(async () => {
  await faulty?.close();
  await mock?.close();
});

type ReportFile = Omit<Report, 'failures'> & { failures: (Report['failures'][number] & { replayCommand: string })[] };
const readJson = async (file: string): Promise<ReportFile> => JSON.parse(await readFile(file, 'utf8'));

describe('parley test exit codes', () => {
  it('exits 0 against the mock, printing that the target conforms', async () => {
    const result = await parley('--target', mock.url, '--api-key', 'key-alpha', '--seed', '1', '--runs', '10');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/\(seed 1\): the target conforms/);
  });

  it('exits 1 against a faulty server, writing the failures to --junit and --json', async () => {
    const junit = path.join(dir, 'report.xml');
    const json = path.join(dir, 'report.json');
    const result = await parley(
      '--target',
      faulty.url,
      '--api-key',
      'key-alpha',
      '--seed',
      '2',
      '--runs',
      '10',
      '--junit',
      junit,
      '--json',
      json,
    );
    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout).toMatch(/status_code_conformance/);
    expect(result.stdout).toMatch(/answered 200, which the operation does not document/);

    const report = await readJson(json);
    expect(report.seed).toBe(2);
    expect(report.failures.length).toBeGreaterThan(0);
    // Only what follows from the fault: the wrong status itself, sequences expecting a 201, and messages
    // that found no session because its creation was not a 201 (a failed precondition of the create).
    for (const failure of report.failures) {
      expect(
        ['status_code_conformance', 'valid_request_accepted', 'precondition'].includes(failure.check) ||
          failure.check.includes('.'),
        failure.check,
      ).toBe(true);
      if (failure.kind === 'precondition') {
        expect(failure.operation).toBe('create_session_v1_ask_feather_sessions_post');
        expect(failure.message).toMatch(/^creating a session for the message answered 200/);
      }
    }
    expect(
      report.failures.some(
        (f) =>
          f.kind === 'precondition' && f.blocked === 'send_message_v1_ask_feather_sessions__session_id__messages_post',
      ),
    ).toBe(true);
    expect(report.failures.map((f) => f.operation)).toEqual(
      expect.arrayContaining([
        'create_session_v1_ask_feather_sessions_post',
        'getOrCreateV2Conversation',
        'create_session_sessions_post',
        'createSession',
      ]),
    );

    const xml = await readFile(junit, 'utf8');
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites ')).toBe(true);
    expect(xml.trimEnd().endsWith('</testsuites>')).toBe(true);
    // Balanced elements, one suite per spec, and a <failure> for each failing operation × check.
    for (const tag of ['testsuites', 'testsuite', 'testcase']) {
      const opened = xml.match(new RegExp(`<${tag}[ >]`, 'g'))?.length ?? 0;
      const selfClosed = xml.match(new RegExp(`<${tag}[^>]*/>`, 'g'))?.length ?? 0;
      expect(xml.match(new RegExp(`</${tag}>`, 'g'))?.length ?? 0, tag).toBe(opened - selfClosed);
    }
    expect(xml.match(/<testsuite /g)).toHaveLength(3);
    const failing = new Set(report.failures.map((f) => `${f.operation} ${f.check}`));
    expect(xml.match(/<failure /g)).toHaveLength(failing.size);
    expect(Number(/<testsuites [^>]*failures="(\d+)"/.exec(xml)![1])).toBe(failing.size);
    for (const name of failing) expect(xml).toContain(`name="${name}">\n      <failure message="`);
    expect(xml).not.toMatch(/&(?!(lt|gt|amp|apos|quot);)/);
    // The coverage phase's constraint table, per spec: numbers as properties, the table as system-out.
    for (const entry of report.constraints) {
      const probed = entry.constraints.filter((c) => c.valid + c.invalid > 0).length;
      expect(xml).toContain(
        `<property name="coverage.${entry.operation}.constraints" value="${probed}/${entry.constraints.length}"/>`,
      );
      expect(xml).toContain(
        `<property name="coverage.${entry.operation}.probes" value="${entry.sent}/${entry.planned}"/>`,
      );
    }
    expect(report.constraints.map((c) => c.operation).sort()).toEqual([
      'createSession',
      'create_session_sessions_post',
      'create_session_v1_ask_feather_sessions_post',
      'getOrCreateV2Conversation',
    ]);
    // Messages need a session the faulty create will not give (200, not 201): not probed, and said so.
    expect(report.untested).toContainEqual(
      expect.objectContaining({
        operation: 'send_message_v1_ask_feather_sessions__session_id__messages_post',
        phase: 'coverage',
        reason: 'precondition',
      }),
    );
    expect(xml.match(/<system-out>Coverage phase: constraints probed/g)).toHaveLength(3);
  });

  it('exits 2 with a clear message when the target is unreachable', async () => {
    const port = await freePort();
    const result = await parley('--target', `http://127.0.0.1:${port}`, '--api-key', 'key-alpha');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      new RegExp(`parley test: cannot test http://127\\.0\\.0\\.1:${port}.*connection refused`),
    );
  });

  it('exits 2 when the target answers with bytes that are not HTTP', async () => {
    const garbage = await startBrokenSocketServer('garbage-all');
    try {
      const result = await parley('--target', garbage.url, '--api-key', 'key-alpha');
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/the answer is not valid HTTP/);
    } finally {
      await garbage.close();
    }
  });
});

// Usage errors stop before any request: run them side by side.
describe.concurrent('parley test usage errors', () => {
  for (const [args, message] of [
    [[], /--target <url> is required/],
    [['--target', 'not a url'], /is not a URL/],
    [['--target', 'http://127.0.0.1:9', '--runs', '0'], /--runs/],
    [['--target', 'http://127.0.0.1:9', '--max-time', 'soon'], /--max-time expects a duration/],
    [['--target', 'http://127.0.0.1:9', '--frobnicate'], /frobnicate/],
    [['--target', 'http://127.0.0.1:9', '--header', 'no-colon'], /--header expects "Name: value"/],
    // Without credentials every valid request to a secured operation would be refused, and the target blamed.
    [
      ['--target', 'http://127.0.0.1:9'],
      /need credentials; pass --api-key.*\n {2}feather create_session_v1_ask_feather_sessions_post: an API key in the x-api-key header/,
    ],
    [
      ['--target', 'http://127.0.0.1:9', '--api-key', 'k', '--max-response-size', '0'],
      /--max-response-size must be at least 1 byte,/,
    ],
    [
      ['--target', 'http://127.0.0.1:9', '--api-key', 'k', '--max-response-size', 'big'],
      /--max-response-size expects a size such as/,
    ],
    // A typo would otherwise select nothing, and an empty run would "conform".
    [
      [
        '--target',
        'http://127.0.0.1:9',
        '--api-key',
        'k',
        '--only',
        'createSesion',
        '--skip',
        'status_code_conformance',
      ],
      /--only\/--skip "createSesion": no such operation, check or sequence \(operations: .*createSession/,
    ],
    [
      ['--target', 'http://127.0.0.1:9', '--api-key', 'k', '--only', 'acme.flow2'],
      /--only\/--skip "acme.flow2": no such operation, check or sequence/,
    ],
    [
      ['--target', 'http://127.0.0.1:9', '--api-key', 'k', '--phases', 'coverage,fuzzing'],
      /--phases expects a comma-separated list of examples, coverage, fuzz, stateful, got "coverage,fuzzing"/,
    ],
    [
      [
        '--target',
        'http://127.0.0.1:9',
        '--api-key',
        'k',
        '--phases',
        'coverage',
        '--only',
        'feather.session_messages',
      ],
      /nothing to run: --only\/--skip\/--phases \(coverage\) leave no operation, check or sequence selected/,
    ],
    [['--target', 'http://127.0.0.1:9', '--api-key', 'k', '--coverage-budget', '-1'], /--coverage-budget/],
  ] as [string[], RegExp][]) {
    it(`exits 2 on bad usage: ${args.join(' ') || '(no flags)'}`, async ({ expect }) => {
      const result = await parley(...args);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(message);
    });
  }
});

describe('parley test selection and replay', () => {
  it('--only an operation tests just that operation', async () => {
    const json = path.join(dir, 'only-operation.json');
    const result = await parley(
      '--target',
      mock.url,
      '--api-key',
      'key-alpha',
      '--runs',
      '5',
      '--only',
      'createSession',
      '--json',
      json,
    );
    expect(result.code, result.stderr).toBe(0);
    const report = await readJson(json);
    expect(new Set(report.tallies.map((t) => t.operation))).toEqual(new Set(['createSession']));
    expect(report.tallies.some((t) => t.check === 'eliza.expires_at_follows_timeout')).toBe(true);
  });

  it('--only a check runs just that check (and response_received, which every request needs)', async () => {
    const json = path.join(dir, 'only-check.json');
    const result = await parley(
      '--target',
      mock.url,
      '--api-key',
      'key-alpha',
      '--runs',
      '5',
      '--only',
      'status_code_conformance',
      '--json',
      json,
    );
    expect(result.code, result.stderr).toBe(0);
    const report = await readJson(json);
    expect(new Set(report.tallies.map((t) => t.check))).toEqual(
      new Set(['response_received', 'status_code_conformance']),
    );
    expect(new Set(report.tallies.map((t) => t.operation)).size).toBe(5);
  });

  it('--skip leaves out operations, checks and sequences by name', async () => {
    const json = path.join(dir, 'skip.json');
    const skipped = ['getOrCreateV2Conversation', 'error_schema_conformance', 'julep.defaults_echo'];
    const result = await parley(
      '--target',
      mock.url,
      '--api-key',
      'key-alpha',
      '--runs',
      '5',
      ...skipped.flatMap((name) => ['--skip', name]),
      '--json',
      json,
    );
    expect(result.code, result.stderr).toBe(0);
    const report = await readJson(json);
    expect(report.tallies.length).toBeGreaterThan(0);
    for (const tally of report.tallies) {
      expect(skipped).not.toContain(tally.operation);
      expect(skipped).not.toContain(tally.check);
    }
    expect(new Set(report.tallies.map((t) => t.operation)).size).toBe(4);
    expect(report.tallies.some((t) => t.check === 'eliza.expires_at_follows_timeout')).toBe(true);
  });

  it('--seed replays the same failure, and the printed replay command reproduces it', async () => {
    faulty.fault = 'server_error_on_edge_value';
    try {
      const first = path.join(dir, 'seed-1.json');
      const second = path.join(dir, 'seed-2.json');
      const args = [
        '--target',
        faulty.url,
        '--api-key',
        'key-alpha',
        '--runs',
        '20',
        '--seed',
        '77',
        'specs/eliza.yaml',
      ];
      const junit = path.join(dir, 'seed-1.xml');
      const firstRun = await parley(...args, '--json', first, '--junit', junit);
      expect(firstRun.code).toBe(1);
      expect((await parley(...args, '--json', second)).code).toBe(1);
      const [a, b] = [await readJson(first), await readJson(second)];
      // The same operation × check failing in several phases (valid, each violation kind) is one
      // JUnit testcase holding every failure, and the counts agree with the testcases.
      const xml = await readFile(junit, 'utf8');
      const edge = a.failures.filter((f) => f.operation === 'createSession' && f.check === 'not_a_server_error');
      expect(edge.length).toBeGreaterThan(1);
      expect(xml.match(/name="createSession not_a_server_error"/g)).toHaveLength(1);
      const failingCases = xml.match(/<failure /g)!.length;
      expect(/<testsuites [^>]*failures="(\d+)"/.exec(xml)![1]).toBe(String(failingCases));
      expect(/<testsuite name="eliza" [^>]*failures="(\d+)"/.exec(xml)![1]).toBe(String(failingCases));
      const body = /name="createSession not_a_server_error">\n\s*<failure [^>]*>([^<]*)<\/failure>/.exec(xml)![1];
      for (const failure of edge)
        expect(body).toContain(failure.violation ? `violation: ${failure.violation.kind}` : failure.message);
      // Phases run concurrently, yet failures are listed in run order: the same seed, the same list.
      const shape = (r: ReportFile) =>
        r.failures.map((f) => [f.operation, f.check, f.violation?.kind, f.path, f.wire.body]);
      expect(a.failures.length).toBeGreaterThan(0);
      expect(shape(b)).toEqual(shape(a));

      const failure = a.failures.find((f) => f.check === 'not_a_server_error' && !f.violation)!;
      const third = path.join(dir, 'seed-3.json');
      expect(failure.replayCommand).toBe(
        `parley test --seed 77 --phases ${failure.phase} --only createSession --only not_a_server_error`,
      );
      expect(firstRun.stdout).toContain(`replay: ${failure.replayCommand}`);
      const replay = await parley(
        '--target',
        faulty.url,
        '--api-key',
        'key-alpha',
        '--runs',
        '20',
        'specs/eliza.yaml',
        ...failure.replayCommand.split(' ').slice(2),
        '--json',
        third,
      );
      expect(replay.code).toBe(1);
      const replayed = (await readJson(third)).failures.find((f) => f.check === 'not_a_server_error' && !f.violation)!;
      expect(replayed.wire.body).toBe(failure.wire.body);
    } finally {
      faulty.fault = 'wrong_status';
    }
  });

  it('--max-time stops a run against a stuck target in time', async () => {
    const stuck = await startBrokenSocketServer('hang');
    try {
      const started = performance.now();
      const result = await parley(
        '--target',
        stuck.url,
        SPEC_FILES.feather,
        '--api-key',
        'key-alpha',
        '--max-time',
        '2s',
        '--request-timeout',
        '60000',
      );
      const seconds = (performance.now() - started) / 1000;
      expect(result.stdout).toMatch(/stopped early by --max-time/);
      expect(seconds).toBeLessThan(8);
      // A run that did not finish is not a pass: exit 3, saying how much was left untested.
      expect(result.stdout).toMatch(/: incomplete: 3 operations untested$/m);
      expect(result.code, result.stdout).toBe(3);
      // --allow-partial judges what did run: nothing failed (requests cut by the deadline are nobody's fault).
      const partial = await parley(
        '--target',
        stuck.url,
        SPEC_FILES.feather,
        '--api-key',
        'key-alpha',
        '--max-time',
        '2s',
        '--request-timeout',
        '60000',
        '--allow-partial',
      );
      expect(partial.stdout).toMatch(/: incomplete: 3 operations untested$/m);
      expect(partial.code, partial.stdout).toBe(0);
    } finally {
      await stuck.close();
    }
  });
});
