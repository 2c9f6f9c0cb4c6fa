/** ElizaOS: messaging sessions with an agent, an inactivity timeout and a maximum duration. */
import { applyDefaults } from '../../openapi/defaults.js';
import { apiError } from '../../mock/api-error.js';
import type { Behaviour } from '../../mock/behaviour.js';
import { CLOCK_RANGE_TEXT, isWithinClockRange } from '../../mock/clock.js';
import { AGENTS } from './fixtures.js';

const SESSIONS = 'eliza.sessions';
const MINUTE = 60_000;

export const createSession: Behaviour = (context) => {
  const request = context.body as Record<string, any>;
  const agent = context.fixtures.get(AGENTS.name, request.agentId);
  if (!agent) {
    return { error: apiError(404, 'AGENT_NOT_FOUND', `Agent ${request.agentId} not found`) };
  }
  // The documented defaults (30 / true / 720 / 5) live in the spec; applyDefaults fills them in.
  const timeoutConfig = applyDefaults(
    (context.operation.requestBody?.content[0]?.schema as any)?.properties?.timeoutConfig,
    request.timeoutConfig ?? {},
  ) as { timeoutMinutes: number; autoRenew: boolean; maxDurationMinutes: number; warningThresholdMinutes: number };
  // A session ends after the inactivity timeout, but never later than its maximum duration.
  const lifetimeMinutes = Math.min(timeoutConfig.timeoutMinutes, timeoutConfig.maxDurationMinutes);
  const expiresAt = context.now.getTime() + lifetimeMinutes * MINUTE;
  // maxDurationMinutes has no bounds in the spec: -1e12 is schema-valid but no date.
  if (!isWithinClockRange(expiresAt)) {
    const field =
      timeoutConfig.maxDurationMinutes < timeoutConfig.timeoutMinutes ? 'maxDurationMinutes' : 'timeoutMinutes';
    return {
      error: apiError(400, 'VALIDATION_ERROR', 'Request validation failed', [
        {
          type: 'value_error',
          loc: ['body', 'timeoutConfig', field],
          msg: `The session would expire outside ${CLOCK_RANGE_TEXT}`,
        },
      ]),
    };
  }
  const session = {
    sessionId: context.ids.uuid(),
    agentId: request.agentId,
    userId: request.userId,
    createdAt: context.timestamp,
    metadata: request.metadata ?? {},
    expiresAt: new Date(expiresAt).toISOString(),
    timeoutConfig,
  };
  context.state.put(SESSIONS, session.sessionId, session);
  return { status: 201, body: session };
};
