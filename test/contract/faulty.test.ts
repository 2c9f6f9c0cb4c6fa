/**
 * Issue #3: against deliberately faulty servers each fault is caught, with the failing check named,
 * and fast-check's shrinking reports the smallest failing request. A healthy relay is the control.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLED_CONTRACTS } from '../../src/apis/index.js';
import { runContract, type ContractOptions } from '../../src/contract/runner.js';
import type { Report } from '../../src/contract/types.js';
import type { RunningMock } from '../../src/mock/server.js';
import { startFaultyServer, type Fault, type FaultyServer } from '../faulty/server.js';
import { BUNDLED_SPECS, startBundledMock } from '../helpers/mock.js';

let mocks: RunningMock[];
let server: FaultyServer;

beforeAll(async () => {
  // Known keys: a mock that accepts any key would rightly fail ignored_auth.
  mocks = [
    await startBundledMock({ apiKeys: ['key-alpha', 'key-beta'] }),
    await startBundledMock({ apiKeys: ['key-alpha', 'key-beta'] }),
  ];
  server = await startFaultyServer([mocks[0].url, mocks[1].url]);
});

afterAll(async () => {
  await server?.close();
  for (const mock of mocks ?? []) await mock.close();
});

function runAgainst(fault: Fault, options: Partial<ContractOptions> = {}): Promise<Report> {
  server.fault = fault;
  return runContract({
    target: server.url,
    specFiles: BUNDLED_SPECS,
    contracts: [...BUNDLED_CONTRACTS],
    apiKey: 'key-alpha',
    seed: 42,
    runs: 10,
    requestTimeoutMs: 5000,
    ...options,
  });
}

const failedChecks = (report: Report) => new Set(report.failures.map((f) => f.check));

describe('faulty servers', () => {
  it('control: the healthy relay conforms', async () => {
    const report = await runAgainst('none');
    expect(report.failures, JSON.stringify(report.failures.map((f) => [f.check, f.message]))).toEqual([]);
    expect(report.requests).toBeGreaterThan(100);
  });

  const CAUGHT_BY: [Exclude<Fault, 'none' | 'server_error_on_edge_value' | 'forgets_state'>, string, RegExp][] = [
    ['wrong_field_type', 'response_schema_conformance', /must be string/],
    ['missing_required_field', 'response_schema_conformance', /must have required property '(id|sessionId)'/],
    ['accepts_invalid_input', 'invalid_request_rejected', /accepted with 200 although/],
    ['wrong_status', 'status_code_conformance', /answered 200, which the operation does not document/],
    ['wrong_content_type', 'content_type_conformance', /Content-Type text\/plain/],
    [
      'undocumented_error_shape',
      'error_schema_conformance',
      /the 4\d\d body breaks its schema: (detail must be array|error must be string)/,
    ],
  ];

  for (const [fault, check, message] of CAUGHT_BY) {
    it(`${fault} is caught by ${check}`, async () => {
      const report = await runAgainst(fault);
      expect([...failedChecks(report)]).toContain(check);
      const failure = report.failures.find((f) => f.check === check)!;
      expect(failure.message).toMatch(message);
      // The report carries what is needed to reproduce it.
      expect(failure.curl).toMatch(/^curl -i -X [A-Z]+ 'http:\/\/127\.0\.0\.1:\d+\//);
      expect(failure.replay.seed).toBe(42);
      expect(failure.replay.only).toEqual([failure.operation, check]);
      expect(failure.response).toBeDefined();
      // A fault in answers is never blamed on the transport or the harness.
      expect(failedChecks(report)).not.toContain('response_received');
      expect(failedChecks(report)).not.toContain('setup');
    });
  }

  it('forgets_state is caught by the stateful sequences', async () => {
    // One property at a time, so the relay's alternation puts consecutive requests on different replicas.
    const report = await runAgainst('forgets_state', {
      concurrency: 1,
      only: ['feather.session_messages', 'feather.get_or_create_returns_same'],
    });
    expect(failedChecks(report)).toEqual(new Set(['feather.session_messages', 'feather.get_or_create_returns_same']));
    const messages = report.failures.find((f) => f.check === 'feather.session_messages')!;
    expect(messages.message).toMatch(/a message to the session just created answered 404/);
    // Named by the request whose answer broke the sequence: the message, not the create it began with.
    expect(messages.operation).toBe('send_message_v1_ask_feather_sessions__session_id__messages_post');
    const same = report.failures.find((f) => f.check === 'feather.get_or_create_returns_same')!;
    expect(same.message).toMatch(/the repeated request returned conversation/);

    // The stateless check sees it too: the contract creates a real session for each message, which then 404s.
    const sendMessage = 'send_message_v1_ask_feather_sessions__session_id__messages_post';
    const messages404 = await runAgainst('forgets_state', {
      concurrency: 1,
      only: [sendMessage, 'valid_request_accepted'],
    });
    // Sent once more, the same message reaches the other replica, where its session exists: some of
    // these are reported as flaky rather than failed, which fails the run just the same.
    const found = [...messages404.failures, ...messages404.flaky.map((f) => f.failure)];
    expect(found.length).toBeGreaterThan(0);
    expect(new Set(found.map((f) => [f.operation, f.check, f.response?.status].join(' ')))).toEqual(
      new Set([`${sendMessage} valid_request_accepted 404`]),
    );
    for (const { retry } of messages404.flaky) expect(retry.status).toBe(200);
  });

  it('server_error_on_edge_value is caught by not_a_server_error, shrunk to the smallest request', async () => {
    const report = await runAgainst('server_error_on_edge_value', {
      only: ['createSession', 'not_a_server_error'],
      runs: 50,
    });
    // Valid requests fail on the edge value (invalid ones may too: each phase reports its own; the
    // coverage phase's probes at the bounds too, each unshrunk).
    expect(
      report.failures.some(
        (f) => f.phase === 'coverage' && f.constraint === 'body.timeoutConfig.timeoutMinutes maximum',
      ),
    ).toBe(true);
    const failures = report.failures.filter(
      (f) => f.check === 'not_a_server_error' && f.violation === undefined && f.phase === 'fuzz',
    );
    expect(failures).toHaveLength(1);
    const [failure] = failures;
    expect(failure.response?.status).toBe(500);
    const body = JSON.parse(failure.wire.body!);
    // Only the required fields, plus the one object holding the one offending number...
    expect(Object.keys(body).sort()).toEqual(['agentId', 'timeoutConfig', 'userId']);
    const numbers = Object.values(body.timeoutConfig);
    expect(numbers).toHaveLength(1);
    // ...which is the smallest value past the edge.
    expect(numbers[0]).toBe(100);
    expect(failure.path).toMatch(/^\d+(:\d+)*$/);
  });
});
