/** ElizaOS's contract: sessions need a known agent (else a 404), are distinct per create, and expire by their timeout configuration. */
import fc from 'fast-check';
import {
  fail,
  jsonOf,
  statusOf,
  type ApiContract,
  type ContractSession,
  type Sequence,
} from '../../contract/api-contract.js';
import { expectAnswer, identicalCreatesAreDistinct } from '../../contract/properties.js';
import { DEMO_AGENT } from './fixtures.js';

const CREATE_SESSION = 'POST /api/messaging/sessions';
const MINUTE = 60_000;
/** Documented defaults: "Default 30" and "Default 720 (12 hours)". */
const DEFAULT_TIMEOUT_MINUTES = 30;
const DEFAULT_MAX_DURATION_MINUTES = 720;

/** The agent sessions are created with: --fixture eliza.agentId=<uuid>, else parley's demo agent. */
const agentId = (session: ContractSession) => session.fixtures['eliza.agentId'] ?? DEMO_AGENT.id;

interface TimeoutInput {
  timeoutMinutes?: number;
  maxDurationMinutes?: number;
}

const expiresAtFollowsTimeout: Sequence<{ userId: string; timeoutConfig: TimeoutInput | undefined }> = {
  name: 'eliza.expires_at_follows_timeout',
  description: 'expiresAt is createdAt + timeoutMinutes (default 30), capped by maxDurationMinutes (default 720)',
  operations: [CREATE_SESSION],
  input: () =>
    fc.record({
      userId: fc.uuid({ version: 4 }),
      timeoutConfig: fc.option(
        fc.record(
          { timeoutMinutes: fc.integer({ min: 5, max: 1440 }), maxDurationMinutes: fc.integer({ min: 5, max: 2880 }) },
          { requiredKeys: [] },
        ),
        { nil: undefined },
      ),
    }),
  async run(session, { userId, timeoutConfig }) {
    const body = { agentId: agentId(session), userId, ...(timeoutConfig ? { timeoutConfig } : {}) };
    const created = await session.send({
      operation: session.operation(CREATE_SESSION),
      pathParams: {},
      query: {},
      headers: {},
      body,
    });
    if (statusOf(created) !== 201) return fail(created, `creating a session answered ${statusOf(created)}`, '201');
    const { createdAt, expiresAt } = jsonOf(created) ?? {};
    const lifetime = Math.min(
      timeoutConfig?.timeoutMinutes ?? DEFAULT_TIMEOUT_MINUTES,
      timeoutConfig?.maxDurationMinutes ?? DEFAULT_MAX_DURATION_MINUTES,
    );
    const actual = (Date.parse(expiresAt) - Date.parse(createdAt)) / MINUTE;
    if (!Number.isFinite(actual))
      return fail(
        created,
        `createdAt ${createdAt} / expiresAt ${expiresAt} are not both date-times`,
        'both timestamps',
      );
    // Allow a second of skew between the two readings of the server's clock.
    return Math.abs(actual - lifetime) <= 1 / 60
      ? { ok: true }
      : fail(created, `expiresAt is ${actual.toFixed(2)} minutes after createdAt`, `${lifetime} minutes`);
  },
};

const unknownAgentRejected: Sequence<string> = {
  name: 'eliza.unknown_agent_rejected',
  description: 'a session for an agent that does not exist is refused with a 404 in the ElizaOS error shape',
  operations: [CREATE_SESSION],
  input: (session) => fc.uuid({ version: 4 }).filter((id) => id !== agentId(session)),
  async run(session, unknownAgent) {
    const body = { agentId: unknownAgent, userId: '3c90c3cc-0d44-4b50-8888-8dd25736052a' };
    const sent = await session.send({
      operation: session.operation(CREATE_SESSION),
      pathParams: {},
      query: {},
      headers: {},
      body,
    });
    return expectAnswer(sent, 404, `a session for unknown agent ${unknownAgent}`);
  },
};

const distinctSessions = identicalCreatesAreDistinct<string>({
  name: 'eliza.distinct_sessions',
  operation: CREATE_SESSION,
  idField: 'sessionId',
  status: 201,
  input: () => fc.uuid({ version: 4 }),
  request: (session, userId) => ({
    operation: session.operation(CREATE_SESSION),
    pathParams: {},
    query: {},
    headers: {},
    body: { agentId: agentId(session), userId },
  }),
});

export const eliza: ApiContract = {
  name: 'eliza',
  generic: false,
  prepare: {
    [CREATE_SESSION]: (generated, session) => ({
      ...generated,
      body: { ...(generated.body as object), agentId: agentId(session) },
    }),
  },
  sequences: [expiresAtFollowsTimeout, unknownAgentRejected, distinctSessions],
};
