/**
 * Issue #3: the suite against Stoplight Prism's mock (`prism mock`, started here on each bundled
 * spec). The stateless checks run; every failure must be a known Prism shortcoming (it keeps no
 * state, answers fixed examples, has its own invalid-JSON body), none a harness error.
 * The findings are written up in the README ("What it finds in Stoplight Prism").
 */
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLED_CONTRACTS } from '../../src/apis/index.js';
import { CHECKS } from '../../src/contract/checks/index.js';
import { runContract } from '../../src/contract/runner.js';
import type { Failure, Report } from '../../src/contract/types.js';
import { ROOT, SPEC_FILES } from '../helpers/mock.js';
import { freePort, spawnUntil, stopProcess } from '../helpers/processes.js';

const PRISM = path.join(ROOT, 'node_modules/.bin/prism');
type SpecName = keyof typeof SPEC_FILES;

interface Finding {
  spec: SpecName;
  check: string;
  operation: string;
  message: RegExp;
  violation?: string;
  /** Why this is Prism's shortcoming, not the harness's. */
  why: string;
}

const FINDINGS: Finding[] = [
  {
    spec: 'feather',
    check: 'feather.session_messages',
    operation: 'create_session_v1_ask_feather_sessions_post',
    message: /^the new session's title is "string"$/,
    why: 'Prism answers the schema-derived example ("string"), not the title that was sent',
  },
  {
    spec: 'feather',
    check: 'feather.unknown_session_rejected',
    operation: 'send_message_v1_ask_feather_sessions__session_id__messages_post',
    message: /^a message to unknown session [0-9a-f-]{36} answered 200$/,
    why: 'Prism keeps no state: every session id "exists"',
  },
  {
    spec: 'feather',
    check: 'feather.get_or_create_returns_same',
    operation: 'getOrCreateV2Conversation',
    message: /^another end user got the same conversation$/,
    why: 'Prism returns the same example conversation id for every request',
  },
  {
    spec: 'feather',
    check: 'error_schema_conformance',
    operation: 'getOrCreateV2Conversation',
    violation: 'malformed_json',
    message: /^the 400 body breaks its schema: .*error must be string/,
    why: 'Prism answers malformed JSON with its own {"error":{"code":"invalid_json",...}} body, not the documented 400 ErrorResponse',
  },
  {
    spec: 'julep',
    check: 'julep.defaults_echo',
    operation: 'create_session_sessions_post',
    message: /^\w+ is .+/,
    why: 'Prism answers a fixed example Session, neither echoing the fields sent nor applying defaults',
  },
  {
    spec: 'eliza',
    check: 'eliza.expires_at_follows_timeout',
    operation: 'createSession',
    message: /^expiresAt is 0\.00 minutes after createdAt$/,
    why: 'Prism answers example timestamps, with expiresAt equal to createdAt whatever the timeout',
  },
  ...(
    [
      ['feather', 'create_session_v1_ask_feather_sessions_post'],
      ['feather', 'send_message_v1_ask_feather_sessions__session_id__messages_post'],
      ['feather', 'getOrCreateV2Conversation'],
      ['julep', 'create_session_sessions_post'],
    ] as const
  ).map(
    ([spec, operation]): Finding => ({
      spec,
      check: 'ignored_auth',
      operation,
      message: /^answered 20\d to a key it cannot know$/,
      why: 'Prism checks that a key is present, not that it is one it knows',
    }),
  ),
  ...(
    [
      ['feather', 'feather.distinct_sessions', 'create_session_v1_ask_feather_sessions_post'],
      ['julep', 'julep.distinct_sessions', 'create_session_sessions_post'],
      ['eliza', 'eliza.distinct_sessions', 'createSession'],
    ] as const
  ).map(
    ([spec, check, operation]): Finding => ({
      spec,
      check,
      operation,
      message: /^create #2 returned (id|sessionId) ".+", already given to create #1$/,
      why: 'Prism answers every create with the same example id',
    }),
  ),
  {
    spec: 'feather',
    check: 'feather.binding_rule',
    operation: 'getOrCreateV2Conversation',
    message: /^a conversation bound to an assistant and a team answered 201/,
    why: 'Prism validates the schema only; the exactly-one-binding rule is in the prose',
  },
  {
    spec: 'feather',
    check: 'feather.get_or_create_identity',
    operation: 'getOrCreateV2Conversation',
    message: /^another channel returned the same conversation/,
    why: 'Prism keeps no state: every get-or-create returns the example conversation',
  },
  {
    spec: 'feather',
    check: 'feather.v2_defaults',
    operation: 'getOrCreateV2Conversation',
    message: /^end_user_id is ".+"$/,
    why: 'Prism answers the example conversation, not the end user sent',
  },
  {
    spec: 'eliza',
    check: 'eliza.unknown_agent_rejected',
    operation: 'createSession',
    message: /^a session for unknown agent [0-9a-f-]{36} answered 201/,
    why: 'Prism knows no agents: every agentId is accepted',
  },
];

const matches = (failure: Failure, finding: Finding) =>
  failure.spec === finding.spec &&
  failure.check === finding.check &&
  failure.operation === finding.operation &&
  failure.violation?.kind === finding.violation &&
  finding.message.test(failure.message);

const prisms = new Map<SpecName, { child: ChildProcess; url: string }>();
const reports = new Map<SpecName, Report>();

beforeAll(async () => {
  await Promise.all(
    (Object.keys(SPEC_FILES) as SpecName[]).map(async (name) => {
      const port = await freePort();
      const started = await spawnUntil(
        PRISM,
        ['mock', '-h', '127.0.0.1', '-p', String(port), SPEC_FILES[name]],
        /Prism is listening on/,
        45_000,
        ROOT,
      );
      prisms.set(name, { child: started.child, url: `http://127.0.0.1:${port}` });
    }),
  );
  for (const [name, { url }] of prisms) {
    reports.set(
      name,
      await runContract({
        target: url,
        specFiles: [SPEC_FILES[name]],
        contracts: [...BUNDLED_CONTRACTS],
        apiKey: 'key-alpha',
        seed: 11,
        runs: 20,
      }),
    );
  }
}, 120_000);

afterAll(async () => {
  await Promise.all([...prisms.values()].map(({ child }) => stopProcess(child)));
});

describe('the contract suite against Stoplight Prism', () => {
  it('runs every stateless check against it', () => {
    // Prism accepts any key it is sent, answers an undocumented method without Allow (a warning, below),
    // and the bundled specs document no response headers.
    const never = new Set(['ignored_auth', 'unsupported_method', 'response_headers_conformance']);
    for (const check of CHECKS.filter((c) => !never.has(c.name))) {
      const passed = [...reports.values()]
        .flatMap((r) => r.tallies)
        .filter((t) => t.check === check.name)
        .reduce((sum, t) => sum + t.passed, 0);
      expect(passed, check.name).toBeGreaterThan(0);
    }
  });

  it('warns (unsupported_method is opt-in) that Prism answers an undocumented method with a 405 that has no Allow header', () => {
    for (const [name, report] of reports) {
      const warned = report.warnings.filter((w) => w.check === 'unsupported_method');
      expect(warned.length, name).toBeGreaterThan(0);
      for (const warning of warned) expect(warning.message).toMatch(/^a 405 without an Allow header/);
    }
  });

  it('reports nothing but known Prism shortcomings', () => {
    const unexplained = [...reports.values()]
      .flatMap((r) => r.failures)
      .filter((f) => !FINDINGS.some((finding) => matches(f, finding)));
    expect(unexplained.map((f) => `${f.spec} ${f.operation} ${f.check}: ${f.message}\n  ${f.curl}`)).toEqual([]);
  });

  for (const finding of FINDINGS) {
    it(`finds: ${finding.spec} ${finding.check} (${finding.why})`, () => {
      const found = reports.get(finding.spec)!.failures.filter((f) => matches(f, finding));
      expect(found).toHaveLength(1);
      expect(found[0].response?.status).toBeGreaterThanOrEqual(200);
    });
  }
});
