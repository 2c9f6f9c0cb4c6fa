/** Julep: sessions between agents and users, with recall options and a token budget. */
import { applyDefaults } from '../../openapi/defaults.js';
import type { Behaviour } from '../../mock/behaviour.js';

const SESSIONS = 'julep.sessions';

export const createSession: Behaviour = (context) => {
  // Defaults come from the spec itself (render_templates true, recall limit 10, ...), per recall mode.
  const request = applyDefaults(context.operation.requestBody?.content[0]?.schema, context.body ?? {}) as Record<
    string,
    any
  >;
  const timestamp = context.timestamp;
  // Spelt out field by field: what the request can set is echoed, the rest is the server's.
  const session = {
    id: context.ids.uuid(),
    situation: request.situation ?? null,
    system_template: request.system_template ?? null,
    render_templates: request.render_templates ?? null,
    token_budget: request.token_budget ?? null,
    context_overflow: request.context_overflow ?? null,
    auto_run_tools: request.auto_run_tools ?? null,
    forward_tool_calls: request.forward_tool_calls ?? null,
    recall_options: request.recall_options ?? null,
    metadata: request.metadata ?? null,
    summary: null,
    kind: null,
    created_at: timestamp,
    updated_at: timestamp,
  };
  const participants = {
    agents: [request.agent, ...(request.agents ?? [])].filter((id): id is string => typeof id === 'string'),
    users: [request.user, ...(request.users ?? [])].filter((id): id is string => typeof id === 'string'),
  };
  // Object.assign rather than spread: several times faster on V8 for objects built key by key.
  context.state.put(SESSIONS, session.id, Object.assign({}, session, participants));
  return { status: 201, body: session };
};
