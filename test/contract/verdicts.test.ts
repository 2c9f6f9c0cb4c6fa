/**
 * Issue #10, honest verdicts: phases selectable by name; one slow operation does not starve the
 * others under --max-time; a failed precondition is blamed on the operation that could not do it;
 * a failure that does not happen again when re-sent is flaky, never "conforms"; --fail-fast stops.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLED_CONTRACTS } from '../../src/apis/index.js';
import { untestedOperations, verdictOf } from '../../src/contract/collect.js';
import { EmptySelectionError, runContract, type ContractOptions } from '../../src/contract/runner.js';
import type { Report } from '../../src/contract/types.js';
import type { RunningMock } from '../../src/mock/server.js';
import { startFaultyServer } from '../faulty/server.js';
import { startRelay } from '../faulty/relay.js';
import { SPEC_FILES, startBundledMock } from '../helpers/mock.js';

let mock: RunningMock;

beforeAll(async () => {
  // Its key only: a mock that accepts any key would rightly fail ignored_auth.
  mock = await startBundledMock({ apiKeys: ['key-alpha'] });
});

afterAll(async () => {
  await mock?.close();
});

const CREATE_SESSION = 'create_session_v1_ask_feather_sessions_post';
const SEND_MESSAGE = 'send_message_v1_ask_feather_sessions__session_id__messages_post';
const GET_OR_CREATE = 'getOrCreateV2Conversation';

const run = (target: string, options: Partial<ContractOptions>): Promise<Report> =>
  runContract({
    target,
    specFiles: [SPEC_FILES.feather],
    contracts: [...BUNDLED_CONTRACTS],
    apiKey: 'key-alpha',
    seed: 3,
    runs: 10,
    requestTimeoutMs: 5000,
    ...options,
  });

const describeFailures = (report: Report) =>
  JSON.stringify(report.failures.map((f) => [f.kind, f.phase, f.operation, f.check, f.message]));

describe('phases', () => {
  it('--phases runs only the phases named, in their order', async () => {
    const examples = await run(mock.url, { specFiles: Object.values(SPEC_FILES), phases: ['examples'] });
    expect(examples.phases).toEqual(['examples']);
    expect(examples.failures).toEqual([]);
    // Only ElizaOS documents a request example.
    expect(new Set(examples.tallies.map((t) => `${t.phase} ${t.operation}`))).toEqual(
      new Set(['examples createSession']),
    );
    expect(examples.constraints).toEqual([]);

    const stateful = await run(mock.url, { phases: ['stateful', 'coverage'] });
    expect(stateful.phases).toEqual(['coverage', 'stateful']);
    expect(new Set(stateful.tallies.map((t) => t.phase))).toEqual(new Set(['coverage', 'stateful']));
    expect(
      stateful.tallies
        .filter((t) => t.phase === 'stateful')
        .map((t) => t.check)
        .sort(),
    ).toEqual(
      // Every Feather sequence but feather.tenant_isolation, which needs a second key.
      [
        'feather.binding_rule',
        'feather.distinct_sessions',
        'feather.get_or_create_identity',
        'feather.get_or_create_returns_same',
        'feather.session_messages',
        'feather.unknown_session_rejected',
        'feather.v2_defaults',
      ],
    );
    expect(stateful.constraints.map((c) => c.operation)).toEqual([CREATE_SESSION, SEND_MESSAGE, GET_OR_CREATE]);
  });

  it('a selection that leaves nothing to run is an error, not a run that conforms', async () => {
    const error = await run(mock.url, { phases: ['coverage'], only: ['feather.session_messages'] }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(EmptySelectionError);
    expect((error as Error).message).toMatch(/^nothing to run: /);
  });
});

describe('a fair schedule', () => {
  it('one slow operation does not starve the others: they finish, it gets its share, the run is incomplete', async () => {
    // getOrCreate answers after 1 s; everything else at once.
    const relay = await startRelay(mock.url, { delayMs: ({ path }) => (path === '/v1/v2/conversations' ? 1000 : 0) });
    try {
      const report = await run(relay.url, { specFiles: [SPEC_FILES.feather, SPEC_FILES.julep], maxTimeMs: 8000 });
      expect(report.failures, describeFailures(report)).toEqual([]);
      // Every other operation ran every phase to its end...
      for (const operation of [CREATE_SESSION, SEND_MESSAGE, 'create_session_sessions_post']) {
        expect(
          report.untested.filter((u) => u.operation === operation),
          operation,
        ).toEqual([]);
        for (const phase of ['coverage', 'fuzz'] as const) {
          expect(
            report.tallies.some((t) => t.operation === operation && t.phase === phase && t.passed > 0),
            `${operation} ${phase}`,
          ).toBe(true);
        }
      }
      // ...while the slow one was tested in each phase it had time for, and the rest is reported, not hidden.
      for (const phase of ['coverage', 'fuzz'] as const) {
        expect(
          report.tallies.some((t) => t.operation === GET_OR_CREATE && t.phase === phase && t.passed > 0),
          phase,
        ).toBe(true);
      }
      expect(untestedOperations(report)).toEqual([`feather ${GET_OR_CREATE}`]);
      expect(verdictOf(report)).toBe('incomplete');
    } finally {
      await relay.close();
    }
  }, 30_000);

  it('a job cut at its share goes on later where it stopped: with time enough, a slow operation is fully tested', async () => {
    // Each getOrCreate answer takes longer than the first shares of the time; the run has plenty in all.
    const relay = await startRelay(mock.url, { delayMs: ({ path }) => (path === '/v1/v2/conversations' ? 600 : 0) });
    try {
      const report = await run(relay.url, {
        specFiles: [SPEC_FILES.feather, SPEC_FILES.julep],
        // One job at a time: the first shares are a quarter of a second, under one slow answer.
        concurrency: 1,
        maxTimeMs: 90_000,
      });
      expect(report.failures, describeFailures(report)).toEqual([]);
      expect(report.untested).toEqual([]);
      expect(verdictOf(report)).toBe('conforms');
      for (const phase of ['coverage', 'fuzz'] as const) {
        expect(
          report.tallies.some((t) => t.operation === GET_OR_CREATE && t.phase === phase && t.passed > 0),
          phase,
        ).toBe(true);
      }
    } finally {
      await relay.close();
    }
  }, 120_000);
});

describe('failure attribution', () => {
  it('a create-session bug is a failed precondition of create session, not a failure of send message', async () => {
    const relay = await startRelay(mock.url, {
      answer: ({ method, path }) =>
        method === 'POST' && path === '/v1/ask-feather/sessions'
          ? { status: 500, json: { detail: 'database unavailable' } }
          : undefined,
    });
    try {
      const report = await run(relay.url, {});
      const preconditions = report.failures.filter((f) => f.kind === 'precondition');
      expect(preconditions.length, describeFailures(report)).toBeGreaterThan(0);
      for (const failure of preconditions) {
        expect(failure).toMatchObject({ operation: CREATE_SESSION, blocked: SEND_MESSAGE, check: 'precondition' });
        expect(failure.response?.status).toBe(500);
        expect(failure.message).toMatch(
          /^creating a session for the message answered 500 \(needed to test send_message/,
        );
      }
      // Sending a message is never judged on a session that could not be made...
      expect(report.failures.filter((f) => f.operation === SEND_MESSAGE && f.kind === 'check')).toEqual([]);
      expect(
        report.untested.filter((u) => u.operation === SEND_MESSAGE).every((u) => u.reason === 'precondition'),
      ).toBe(true);
      // ...the create itself fails its own checks, and the sequence names the request that broke it.
      expect(report.failures.some((f) => f.operation === CREATE_SESSION && f.check === 'not_a_server_error')).toBe(
        true,
      );
      const sequence = report.failures.find((f) => f.check === 'feather.session_messages')!;
      expect(sequence.operation).toBe(CREATE_SESSION);
      // The run finished: it fails, it is not incomplete.
      expect(verdictOf(report)).toBe('fails');
    } finally {
      await relay.close();
    }
  });
});

describe('flaky failures', () => {
  it('a failure that passes when the same request is sent again is reported as flaky, not as conforming', async () => {
    // A cold cache: the first session asking for a given long timeout gets a 500 while the entry
    // is built; the same request again (or any other with that timeout) works.
    const warmed = new Set<number>();
    const relay = await startRelay(mock.url, {
      answer: ({ method, path, json }) => {
        const minutes = json?.timeoutConfig?.timeoutMinutes;
        if (
          method !== 'POST' ||
          path !== '/api/messaging/sessions' ||
          typeof minutes !== 'number' ||
          minutes < 1000 ||
          warmed.has(minutes)
        )
          return undefined;
        warmed.add(minutes);
        return {
          status: 500,
          json: { success: false, error: { code: 'INTERNAL_ERROR', message: 'cache miss', details: 'cold' } },
        };
      },
    });
    try {
      for (const seed of [1, 2, 3, 4, 5]) {
        warmed.clear();
        const report = await run(relay.url, {
          specFiles: [SPEC_FILES.eliza],
          seed,
          runs: 10,
          phases: ['coverage', 'fuzz'],
        });
        expect(
          report.failures.filter((f) => f.check === 'not_a_server_error'),
          `seed ${seed}: ${describeFailures(report)}`,
        ).toEqual([]);
        expect(report.flaky.length, `seed ${seed}`).toBeGreaterThan(0);
        for (const { failure, retry } of report.flaky) {
          expect(failure.check).toBe('not_a_server_error');
          expect(failure.response?.status).toBe(500);
          // Sent again, the mock's own answer: a 201 for a valid request, a 4xx for one with a known violation.
          if (failure.violation) expect(retry.status! >= 400 && retry.status! < 500, String(retry.status)).toBe(true);
          else expect(retry.status).toBe(201);
        }
        expect(verdictOf(report)).toBe('fails');
      }
    } finally {
      await relay.close();
    }
  }, 120_000);
});

describe('--fail-fast', () => {
  it('stops at the first failure and says what it left untested', async () => {
    const faulty = await startFaultyServer([mock.url, mock.url], 'wrong_status');
    try {
      const report = await run(faulty.url, { specFiles: Object.values(SPEC_FILES), failFast: true });
      expect(report.stoppedAtFirstFailure).toBe(true);
      expect(report.failures.length).toBeGreaterThan(0);
      // Only the jobs already running when it failed could add theirs.
      expect(report.failures.length).toBeLessThanOrEqual(8);
      expect(report.untested.filter((u) => u.reason === 'fail-fast').length).toBeGreaterThan(10);
      expect(verdictOf(report)).toBe('fails');
    } finally {
      await faulty.close();
    }
  });
});
