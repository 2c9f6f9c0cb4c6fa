/**
 * Issue #10: backend bugs outside the schema — tenancy, prose rules, identity, defaults, ids,
 * Unicode, authentication, speed — each caught in every one of 5 seeds with the right check named,
 * while the mock and a relay that changes nothing give zero failures in the same 5 seeds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLED_CONTRACTS } from '../../src/apis/index.js';
import { runContract, type ContractOptions } from '../../src/contract/runner.js';
import type { Report } from '../../src/contract/types.js';
import { loadSpecs } from '../../src/openapi/load.js';
import type { Spec } from '../../src/openapi/types.js';
import type { RunningMock } from '../../src/mock/server.js';
import { BACKEND_BUGS } from '../faulty/backend-bugs.js';
import { startRelay, type RelayBehaviour } from '../faulty/relay.js';
import { BUNDLED_SPECS, type SPEC_FILES, startBundledMock } from '../helpers/mock.js';

const KEYS = ['key-alpha', 'key-beta'];
const SEEDS = [1, 2, 3, 4, 5];

let mock: RunningMock;
/** Loaded once: each of the 60-odd runs below would otherwise parse its specs again. */
const specs = new Map<string, Spec>();
beforeAll(async () => {
  mock = await startBundledMock({ apiKeys: KEYS });
  for (const spec of await loadSpecs(BUNDLED_SPECS)) specs.set(spec.name, spec);
});
afterAll(async () => {
  await mock?.close();
});

const describeFailures = (report: Report) =>
  report.failures.map((f) => `${f.phase} ${f.operation} ${f.check}: ${f.message}`).join('\n');

type RunOptions = Partial<ContractOptions> & { apis: (keyof typeof SPEC_FILES)[] };

function run(target: string, seed: number, { apis, ...options }: RunOptions): Promise<Report> {
  return runContract({
    target,
    specs: apis.map((name) => specs.get(name)!),
    contracts: [...BUNDLED_CONTRACTS],
    apiKey: KEYS[0],
    secondApiKey: KEYS[1],
    seed,
    runs: 10,
    requestTimeoutMs: 5000,
    ...options,
  });
}

interface Case {
  bug: keyof typeof BACKEND_BUGS;
  behaviour: RelayBehaviour;
  options: RunOptions;
  check: string;
  message: RegExp;
}

const stateful = (api: keyof typeof SPEC_FILES, only: string[]): RunOptions => ({
  apis: [api],
  phases: ['stateful'],
  only,
});

const CASES: Case[] = [
  {
    bug: 'cross_tenant_leak',
    behaviour: BACKEND_BUGS.cross_tenant_leak(KEYS),
    options: stateful('feather', ['feather.tenant_isolation']),
    check: 'feather.tenant_isolation',
    message: /^the second key got the first key's conversation/,
  },
  {
    bug: 'ignores_binding_rule',
    behaviour: BACKEND_BUGS.ignores_binding_rule(),
    options: stateful('feather', ['feather.binding_rule']),
    check: 'feather.binding_rule',
    message: /^a conversation bound to an assistant and a team answered 201/,
  },
  {
    bug: 'identity_ignores_channel',
    behaviour: BACKEND_BUGS.identity_ignores_channel(),
    options: stateful('feather', ['feather.get_or_create_identity']),
    check: 'feather.get_or_create_identity',
    message: /^another channel returned the same conversation/,
  },
  {
    bug: 'identity_ignores_external_id',
    behaviour: BACKEND_BUGS.identity_ignores_external_id(),
    options: stateful('feather', ['feather.get_or_create_identity']),
    check: 'feather.get_or_create_identity',
    message: /external_id returned the same conversation/,
  },
  {
    bug: 'accepts_unknown_agent',
    behaviour: BACKEND_BUGS.accepts_unknown_agent(),
    options: stateful('eliza', ['eliza.unknown_agent_rejected']),
    check: 'eliza.unknown_agent_rejected',
    message: /^a session for unknown agent [0-9a-f-]{36} answered 201/,
  },
  {
    bug: 'duplicate_ids',
    behaviour: BACKEND_BUGS.duplicate_ids(),
    options: stateful('feather', ['feather.distinct_sessions']),
    check: 'feather.distinct_sessions',
    message: /^create #2 returned id "[0-9a-f-]{36}", already given to create #1$/,
  },
  {
    bug: 'wrong_defaults',
    behaviour: BACKEND_BUGS.wrong_defaults(),
    options: stateful('feather', ['feather.v2_defaults']),
    check: 'feather.v2_defaults',
    message: /^session_type is "test"$/,
  },
  {
    // The default fuzz phase alone, at --runs 10: generated text carries astral characters often enough.
    bug: 'crashes_on_astral',
    behaviour: BACKEND_BUGS.crashes_on_astral(),
    options: {
      apis: ['feather'],
      phases: ['fuzz'],
      only: ['send_message_v1_ask_feather_sessions__session_id__messages_post'],
    },
    check: 'response_received',
    message: /the connection was closed before a complete response/,
  },
  {
    bug: 'accepts_wrong_key',
    behaviour: BACKEND_BUGS.accepts_wrong_key(KEYS),
    options: { apis: ['feather', 'julep', 'eliza'], phases: ['fuzz'], only: ['ignored_auth'] },
    check: 'ignored_auth',
    message: /^answered 20\d to a key it cannot know$/,
  },
  {
    bug: 'slow_operation',
    behaviour: BACKEND_BUGS.slow_operation(400),
    // The documented example alone: every request to the operation is slow, a few make the point.
    options: { apis: ['eliza'], phases: ['examples'], only: ['max_response_time'], maxResponseTimeMs: 200 },
    check: 'max_response_time',
    message: /^answered in \d+ ms$/,
  },
];

describe('backend bugs outside the schema', () => {
  for (const { bug, behaviour, options, check, message } of CASES) {
    it(`${bug} is caught by ${check} in every one of 5 seeds`, async () => {
      const relay = await startRelay(mock.url, behaviour);
      try {
        for (const seed of SEEDS) {
          const report = await run(relay.url, seed, options);
          const caught = report.failures.filter((f) => f.check === check);
          expect(caught.length, `seed ${seed}:\n${describeFailures(report)}`).toBeGreaterThan(0);
          expect(caught[0].message).toMatch(message);
          expect(caught[0].curl).toMatch(/^curl -i -X [A-Z]+ /);
        }
      } finally {
        await relay.close();
      }
    }, 60_000);
  }

  it('the crash on astral characters is shown with the request that carries one', async () => {
    const relay = await startRelay(mock.url, BACKEND_BUGS.crashes_on_astral());
    try {
      const report = await run(relay.url, 1, CASES.find((c) => c.bug === 'crashes_on_astral')!.options);
      const body = JSON.parse(report.failures.find((f) => f.check === 'response_received')!.wire.body!);
      expect(body.content).toMatch(/[\u{10000}-\u{10FFFF}]/u);
    } finally {
      await relay.close();
    }
  });

  it('without --max-response-time the slow operation is a warning, not a failure', async () => {
    const relay = await startRelay(mock.url, BACKEND_BUGS.slow_operation(1100));
    try {
      const report = await run(relay.url, 1, { apis: ['eliza'], phases: ['examples'], only: ['max_response_time'] });
      expect(report.failures).toEqual([]);
      expect(report.warnings.find((w) => w.check === 'max_response_time')?.message).toMatch(/^a slow answer: \d+ ms$/);
    } finally {
      await relay.close();
    }
  }, 60_000);

  it('in the stateful phase, a slow answer is a warning (no check judges sequences by time)', async () => {
    const relay = await startRelay(mock.url, BACKEND_BUGS.slow_operation(300));
    try {
      const report = await run(relay.url, 1, {
        apis: ['eliza'],
        phases: ['stateful'],
        runs: 5,
        only: ['eliza.distinct_sessions'],
        maxResponseTimeMs: 150,
      });
      expect(report.failures).toEqual([]);
      expect(report.warnings.find((w) => w.check === 'max_response_time' && w.phase === 'stateful')?.message).toMatch(
        /^a slow answer: \d+ ms$/,
      );
    } finally {
      await relay.close();
    }
  }, 60_000);

  it('the mock and a relay that changes nothing give zero failures in 5 seeds, every new rule exercised', async () => {
    const relay = await startRelay(mock.url, {});
    try {
      for (const target of [mock.url, relay.url]) {
        for (const seed of SEEDS) {
          const report = await run(target, seed, {
            apis: ['feather', 'julep', 'eliza'],
            phases: ['fuzz', 'stateful'],
            runs: 5,
          });
          expect(report.failures, `${target} seed ${seed}:\n${describeFailures(report)}`).toEqual([]);
          for (const check of new Set(CASES.map((c) => c.check))) {
            expect(
              report.tallies.filter((t) => t.check === check).reduce((n, t) => n + t.passed, 0),
              `${check} seed ${seed}`,
            ).toBeGreaterThan(0);
          }
        }
      }
    } finally {
      await relay.close();
    }
  }, 120_000);
});
