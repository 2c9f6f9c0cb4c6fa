/**
 * Issue #5, the harness half: an unreachable, silent, slow or garbage-returning target gives a clear
 * report, never a hang (per-request timeout, overall maxTimeMs).
 */
import { describe, expect, it } from 'vitest';
import { BUNDLED_CONTRACTS } from '../../src/apis/index.js';
import { runContract, TargetUnreachableError, type ContractOptions } from '../../src/contract/runner.js';
import { startBrokenSocketServer } from '../faulty/server.js';
import { SPEC_FILES } from '../helpers/mock.js';
import { freePort } from '../helpers/processes.js';

const options = (target: string, extra: Partial<ContractOptions> = {}): ContractOptions => ({
  target,
  specFiles: [SPEC_FILES.feather],
  contracts: [...BUNDLED_CONTRACTS],
  apiKey: 'key-alpha',
  seed: 5,
  runs: 10,
  requestTimeoutMs: 200,
  ...extra,
});

async function elapsed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const result = await work();
  return [result, performance.now() - started];
}

describe('harness robustness', () => {
  it('an unreachable target is a TargetUnreachableError naming the target, at once', async () => {
    const target = `http://127.0.0.1:${await freePort()}`;
    const [error, ms] = await elapsed(() =>
      runContract(options(target)).then(
        () => undefined,
        (e: unknown) => e,
      ),
    );
    expect(error).toBeInstanceOf(TargetUnreachableError);
    expect((error as Error).message).toBe(`cannot test ${target}: connection refused (is the server running?)`);
    expect(ms).toBeLessThan(5000);
  });

  it('a target that accepts connections but never answers fails the probe within the request timeout', async () => {
    const server = await startBrokenSocketServer('hang-all');
    try {
      const [error, ms] = await elapsed(() =>
        runContract(options(server.url)).then(
          () => undefined,
          (e: unknown) => e,
        ),
      );
      expect(error).toBeInstanceOf(TargetUnreachableError);
      expect((error as Error).message).toMatch(/no complete response within 200 ms/);
      expect(ms).toBeLessThan(3000);
    } finally {
      await server.close();
    }
  });

  it('a target answering garbage bytes is reported as not HTTP, not a crash', async () => {
    const server = await startBrokenSocketServer('garbage-all');
    try {
      const error = await runContract(options(server.url)).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(TargetUnreachableError);
      expect((error as Error).message).toMatch(/the answer is not valid HTTP/);
    } finally {
      await server.close();
    }
  });

  it('API answers that are not HTTP are response_received failures, not a crash', async () => {
    // Answers the probe, then garbage to every API call.
    const server = await startBrokenSocketServer('garbage');
    try {
      // Garbage comes back at once: a generous timeout keeps a busy machine from turning it into a timeout.
      const report = await runContract(options(server.url, { requestTimeoutMs: 10_000 }));
      const lost = report.failures.filter((f) => f.check === 'response_received');
      // The two operations that need nothing first are judged; sending a message needs a session,
      // whose creation got no answer: a failed precondition of the create, not a failure of the message.
      expect(
        new Set(lost.map((f) => f.operation)),
        JSON.stringify(report.failures.map((f) => [f.check, f.message])),
      ).toEqual(new Set(['create_session_v1_ask_feather_sessions_post', 'getOrCreateV2Conversation']));
      for (const failure of lost) expect(failure.message).toMatch(/^the answer is not valid HTTP/);
      const preconditions = report.failures.filter((f) => f.kind === 'precondition');
      expect(preconditions.length).toBeGreaterThan(0);
      for (const failure of preconditions) {
        expect(failure.operation).toBe('create_session_v1_ask_feather_sessions_post');
        expect(failure.blocked).toBe('send_message_v1_ask_feather_sessions__session_id__messages_post');
        expect(failure.transportError).toMatch(/^the answer is not valid HTTP/);
      }
      expect(
        report.failures.filter(
          (f) =>
            f.kind === 'check' && f.operation === 'send_message_v1_ask_feather_sessions__session_id__messages_post',
        ),
      ).toEqual([]);
      expect(report.failures.filter((f) => f.check === 'setup')).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it('requests that never get an answer are response_received failures, and the run ends', async () => {
    // Answers the probe, then hangs on every API call.
    const server = await startBrokenSocketServer('hang');
    try {
      const [report, ms] = await elapsed(() => runContract(options(server.url)));
      expect(report.interrupted).toBe(false);
      const checks = new Set(report.failures.map((f) => f.check));
      expect(checks.has('response_received')).toBe(true);
      for (const failure of report.failures.filter((f) => f.check === 'response_received')) {
        expect(failure.transportError).toBe('no complete response within 200 ms');
        expect(failure.response).toBeUndefined();
      }
      // Every operation is reported (sending a message as the failed precondition of the session it needs), and every sequence (which cannot even start) too.
      expect(new Set(report.failures.map((f) => f.blocked ?? f.operation)).size).toBe(3);
      for (const sequence of [
        'feather.session_messages',
        'feather.unknown_session_rejected',
        'feather.get_or_create_returns_same',
      ])
        expect(checks).toContain(sequence);
      // No shrinking through timeouts: about one timed-out request per phase, not hundreds.
      expect(report.requests).toBeLessThan(100);
      expect(ms).toBeLessThan(15_000);
    } finally {
      await server.close();
    }
  });

  it('maxTimeMs stops a run against a stuck target in time, flagged as interrupted', async () => {
    const server = await startBrokenSocketServer('hang');
    try {
      const [report, ms] = await elapsed(() =>
        runContract(options(server.url, { requestTimeoutMs: 60_000, maxTimeMs: 1500 })),
      );
      expect(report.interrupted).toBe(true);
      expect(ms).toBeGreaterThanOrEqual(1400);
      // The deadline counts from the end of spec loading; allow for a busy machine around it.
      expect(ms).toBeLessThan(6000);
      // Requests cut off by the deadline are blamed neither on the target nor on the harness ("setup").
      expect(report.failures).toEqual([]);
    } finally {
      await server.close();
    }
  });
});
