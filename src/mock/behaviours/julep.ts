/** Julep: sessions between agents and users, with recall options and a token budget. */
import { applyDefaults } from '../../spec/defaults.js';
import type { Behaviour } from '../behaviour.js';

const SESSIONS = 'julep.sessions';

/** Fields of the Session response the request can set; the rest are the server's. */
const ECHOED = [
  'situation',
  'system_template',
  'render_templates',
  'token_budget',
  'context_overflow',
  'auto_run_tools',
  'forward_tool_calls',
  'recall_options',
  'metadata',
] as const;

export const createSession: Behaviour = (context) => {
  // Defaults come from the spec itself (render_templates true, recall limit 10, ...), per recall mode.
  const request = applyDefaults(context.operation.requestBody?.content[0]?.schema, context.body ?? {}) as Record<string, any>;
  const timestamp = context.now.toISOString();
  const session: Record<string, unknown> = { id: context.ids.uuid() };
  for (const field of ECHOED) session[field] = request[field] ?? null;
  Object.assign(session, { summary: null, kind: null, created_at: timestamp, updated_at: timestamp });
  const participants = {
    agents: [request.agent, ...(request.agents ?? [])].filter((id): id is string => typeof id === 'string'),
    users: [request.user, ...(request.users ?? [])].filter((id): id is string => typeof id === 'string'),
  };
  // Object.assign rather than spread: several times faster on V8 for objects built key by key.
  context.state.put(SESSIONS, session.id as string, Object.assign({}, session, participants));
  return { status: 201, body: session };
};
