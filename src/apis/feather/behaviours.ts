/** Feather: Ask-Feather sessions and messages, and v2 get-or-create conversations. */
import { applyDefaults } from '../../openapi/defaults.js';
import { estimateJsonLength } from '../../openapi/json-value.js';
import { apiError } from '../../mock/api-error.js';
import type { Behaviour, RequestContext } from '../../mock/behaviour.js';
import { uuidFromText } from '../../mock/ids.js';

const SESSIONS = 'feather.sessions';
const CONVERSATIONS = 'feather.conversations';

/** Keeps a long chat from growing one session without bound; the oldest messages go first. */
export const MAX_MESSAGES_PER_SESSION = 10_000;
/** Room left in a session record for what is not a message (its JSON punctuation, the store's overhead). */
const SESSION_SLACK_BYTES = 512;

interface FeatherMessage {
  id: string;
  role: 'user' | 'assistant';
  content: string;
  workflow: string | null;
  created_at: string;
}

interface FeatherSession {
  id: string;
  title: string | null;
  status: string;
  created_at: string;
  updated_at: string;
  messages: FeatherMessage[];
}

/** The session as the API shows it: everything but its messages (spelt out: faster than a rest pattern). */
const publicSession = (session: FeatherSession) => ({
  id: session.id,
  title: session.title,
  status: session.status,
  created_at: session.created_at,
  updated_at: session.updated_at,
});

export const createSession: Behaviour = (context) => {
  const timestamp = context.timestamp;
  const session: FeatherSession = {
    id: context.ids.uuid(),
    title: context.body?.title ?? null,
    status: 'active',
    created_at: timestamp,
    updated_at: timestamp,
    messages: [],
  };
  context.state.put(SESSIONS, session.id, session as unknown as Record<string, unknown>);
  return { status: 201, body: publicSession(session) };
};

export const sendMessage: Behaviour = (context) => {
  const sessionId = String(context.params.path.session_id).toLowerCase();
  const session = context.state.get(SESSIONS, sessionId) as FeatherSession | undefined;
  if (!session) return { error: apiError(404, 'SESSION_NOT_FOUND', 'Session not found') };
  const timestamp = context.timestamp;
  const userMessage: FeatherMessage = {
    id: context.ids.uuid(),
    role: 'user',
    content: context.body.content,
    workflow: context.body.workflow ?? null,
    created_at: timestamp,
  };
  const reply: FeatherMessage = {
    id: context.ids.uuid(),
    role: 'assistant',
    content: cannedReply(userMessage.content),
    workflow: userMessage.workflow,
    created_at: timestamp,
  };
  // Sessions seeded through the admin API or a hand-edited state file may come without a message list.
  if (!Array.isArray(session.messages)) session.messages = [];
  // A session is one record: its messages share the per-record byte limit (--max-record-size).
  const budget = context.state.maxRecordBytes - (estimateJsonLength(publicSession(session)) + SESSION_SLACK_BYTES);
  const added = messageBytes(userMessage) + messageBytes(reply);
  if (added > budget) {
    const limit = context.state.maxRecordBytes;
    return {
      error: apiError(
        413,
        'MESSAGE_TOO_LARGE',
        `The message takes ${added} bytes with its reply; a session holds at most ${limit} bytes (--max-record-size)`,
      ),
    };
  }
  let held = heldBytes(session) + added;
  session.messages.push(userMessage, reply);
  // shift() trims the front in place; splice(0, n) copies the whole list, ~70 µs at the cap.
  let dropped = 0;
  while (session.messages.length > MAX_MESSAGES_PER_SESSION || held > budget) {
    const bytes = messageBytes(session.messages.shift());
    held -= bytes;
    dropped += bytes;
  }
  sessionMessageBytes.set(session, held);
  session.updated_at = timestamp;
  context.state.resize(SESSIONS, sessionId, added - dropped);
  return { status: 200, body: { session_id: session.id, message: userMessage, reply } };
};

/** Bytes of each session's messages, kept beside the record so the state stays plain data. */
const sessionMessageBytes = new WeakMap<FeatherSession, number>();

/** A message's JSON length, as the store counts records, and its separating comma. */
const messageBytes = (message: unknown) => estimateJsonLength(message) + 1;

/** Counted once per session object: after a restart or a seed, on its first new message. */
function heldBytes(session: FeatherSession): number {
  let bytes = sessionMessageBytes.get(session);
  if (bytes === undefined) {
    bytes = 0;
    for (const message of session.messages) bytes += messageBytes(message);
  }
  return bytes;
}

/** What a seeded session must be for the API to serve it; the mock fills in the rest. */
export function checkSeededSession(record: Record<string, unknown>): string | undefined {
  if (record.messages !== undefined && !Array.isArray(record.messages))
    return '"messages" must be an array of messages';
  if (
    Array.isArray(record.messages) &&
    record.messages.some((message) => message === null || typeof message !== 'object' || Array.isArray(message))
  ) {
    return '"messages" must hold message objects';
  }
  return undefined;
}

function cannedReply(content: string): string {
  const excerpt = content.length > 80 ? `${content.slice(0, 77)}...` : content;
  return `This is a mock reply from Feather. You said: "${excerpt}"`;
}

type Binding = { assistant_id: string; assistant_revision_id: string } | { team_id: string; team_revision_id: string };

/**
 * Exactly one of an assistant, or a team with its revision (the `single_xor_team` rule).
 * Returns the binding or a message saying what is wrong.
 */
function bindingOf(body: Record<string, any>): Binding | string {
  const assistant = body.assistant_id ?? null;
  const team = body.team_id ?? null;
  const teamRevision = body.team_revision_id ?? null;
  if (assistant !== null && (team !== null || teamRevision !== null)) {
    return 'Bind to exactly one of assistant_id or team_id + team_revision_id, not both';
  }
  if (assistant !== null) {
    // Omitted revisions resolve to the assistant's active revision, pinned at bind time.
    return {
      assistant_id: assistant,
      assistant_revision_id: body.assistant_revision_id ?? uuidFromText(`revision:${assistant}`),
    };
  }
  if (body.assistant_revision_id != null) return 'assistant_revision_id requires assistant_id';
  if (team !== null && teamRevision !== null) return { team_id: team, team_revision_id: teamRevision };
  if (team !== null) return 'team_id requires team_revision_id';
  if (teamRevision !== null) return 'team_revision_id requires team_id';
  return 'Bind to exactly one of assistant_id or team_id + team_revision_id';
}

export const getOrCreateConversation: Behaviour = (context: RequestContext) => {
  const request = applyDefaults(context.operation.requestBody?.content[0]?.schema, context.body) as Record<string, any>;
  const binding = bindingOf(request);
  if (typeof binding === 'string') return { error: apiError(400, 'INVALID_BINDING', binding) };
  const organizationId = uuidFromText(`organization:${context.tenant}`);
  const uniqueKey = JSON.stringify([
    'conversation',
    request.end_user_id.toLowerCase(),
    request.channel,
    'assistant_id' in binding
      ? ['assistant', binding.assistant_id.toLowerCase()]
      : ['team', binding.team_id.toLowerCase(), binding.team_revision_id.toLowerCase()],
    request.external_id ?? null,
  ]);
  const { record } = context.state.getOrCreate(CONVERSATIONS, uniqueKey, () => {
    const timestamp = context.timestamp;
    const conversation = {
      id: context.ids.uuid(),
      organization_id: organizationId,
      end_user_id: request.end_user_id,
      channel: request.channel,
      channel_subtype: request.channel_subtype ?? null,
      origin: request.origin ?? null,
      status: 'active',
      session_type: request.session_type,
      assistant_id: null,
      assistant_revision_id: null,
      team_id: null,
      team_revision_id: null,
      ...binding,
      external_id: request.external_id ?? null,
      subject: request.subject ?? null,
      tool_input_overrides: request.tool_input_overrides ?? null,
      created_at: timestamp,
      updated_at: timestamp,
    };
    return { id: conversation.id, record: conversation };
  });
  return { status: 201, body: record };
};
