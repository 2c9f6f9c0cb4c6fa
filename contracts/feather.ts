/** Feather's contract: sessions take messages, unknown sessions are refused, get-or-create is idempotent. */
import fc from 'fast-check';
import { fail, jsonOf, precondition, statusOf, type ApiContract, type ContractSession, type Sequence } from '../src/contract/api-contract.js';
import type { ContractRequest } from '../src/contract/types.js';

const CREATE_SESSION = 'POST /v1/ask-feather/sessions';
const SEND_MESSAGE = 'POST /v1/ask-feather/sessions/{session_id}/messages';
const GET_OR_CREATE = 'POST /v1/v2/conversations';

const request = (session: ContractSession, key: string, body: unknown, pathParams: Record<string, unknown> = {}): ContractRequest => ({
  operation: session.operation(key),
  pathParams,
  query: {},
  headers: {},
  body,
});

/** Creates a session to send messages to; a failed precondition (blamed on session creation) when the target would not. */
async function newSessionId(session: ContractSession, title: string | null = null): Promise<string> {
  const exchange = await session.send(request(session, CREATE_SESSION, { title }));
  const id = jsonOf(exchange)?.id;
  if (statusOf(exchange) === 201 && typeof id === 'string') return id;
  return precondition(exchange, `creating a session for the message answered ${statusOf(exchange) ?? 'nothing'}`, '201 with the new session id');
}

/**
 * The schema allows any mix of assistant and team ids; the docs allow exactly one binding
 * (an assistant, or a team with its revision). Make a generated body follow the docs.
 */
function withOneBinding(body: Record<string, any>): Record<string, any> {
  const out = { ...body };
  if (out.assistant_id != null) {
    delete out.team_id;
    delete out.team_revision_id;
    return out;
  }
  delete out.assistant_revision_id;
  if (out.team_id != null) {
    out.team_revision_id ??= out.team_id;
    return out;
  }
  delete out.team_revision_id;
  return { ...out, assistant_id: out.end_user_id };
}

const sessionTakesMessages: Sequence<{ title: string | null; contents: string[] }> = {
  name: 'feather.session_messages',
  description: 'a created session accepts every message sent to it',
  operations: [CREATE_SESSION, SEND_MESSAGE],
  input: () =>
    fc.record({
      title: fc.option(fc.string({ maxLength: 40 }), { nil: null }),
      contents: fc.array(fc.string({ minLength: 1, maxLength: 60 }), { minLength: 1, maxLength: 4 }),
    }),
  async run(session, { title, contents }) {
    const created = await session.send(request(session, CREATE_SESSION, { title }));
    const id = jsonOf(created)?.id;
    if (statusOf(created) !== 201 || typeof id !== 'string') return fail(created, `creating a session answered ${statusOf(created)}`, '201 with an id');
    if (jsonOf(created).title !== title) return fail(created, `the new session's title is ${JSON.stringify(jsonOf(created).title)}`, `the title sent, ${JSON.stringify(title)}`);
    for (const content of contents) {
      const sent = await session.send(request(session, SEND_MESSAGE, { content }, { session_id: id }));
      if (statusOf(sent) !== 200) return fail(sent, `a message to the session just created answered ${statusOf(sent)}`, '200');
    }
    return { ok: true };
  },
};

const unknownSessionRejected: Sequence<string> = {
  name: 'feather.unknown_session_rejected',
  description: 'a message to a session that does not exist is refused (404)',
  operations: [SEND_MESSAGE],
  input: () => fc.uuid({ version: 4 }),
  async run(session, sessionId) {
    const sent = await session.send(request(session, SEND_MESSAGE, { content: 'hello' }, { session_id: sessionId }));
    const status = statusOf(sent);
    return status === 404 ? { ok: true } : fail(sent, `a message to unknown session ${sessionId} answered ${status}`, '404');
  },
};

const getOrCreateReturnsSame: Sequence<ContractRequest> = {
  name: 'feather.get_or_create_returns_same',
  description: 'the same get-or-create request twice returns the same conversation; another end user gets another',
  operations: [GET_OR_CREATE],
  input: (session) =>
    fc
      .record({
        endUser: fc.uuid({ version: 4 }),
        assistant: fc.uuid({ version: 4 }),
        channel: fc.constantFrom('chat', 'sms', 'voice'),
        externalId: fc.option(fc.string({ minLength: 1, maxLength: 20 }), { nil: undefined }),
      })
      .map(({ endUser, assistant, channel, externalId }) =>
        request(session, GET_OR_CREATE, { end_user_id: endUser, assistant_id: assistant, channel, ...(externalId ? { external_id: externalId } : {}) }),
      ),
  async run(session, conversation) {
    const first = await session.send(conversation);
    if (statusOf(first) !== 201) return fail(first, `get-or-create answered ${statusOf(first)}`, '201');
    const second = await session.send(conversation);
    if (statusOf(second) !== 201) return fail(second, `the repeated get-or-create answered ${statusOf(second)}`, '201');
    if (jsonOf(second)?.id !== jsonOf(first)?.id) {
      return fail(second, `the repeated request returned conversation ${jsonOf(second)?.id}, the first ${jsonOf(first)?.id}`, 'the same conversation id');
    }
    const other = { ...conversation, body: { ...(conversation.body as object), end_user_id: flipUuid((conversation.body as any).end_user_id) } };
    const third = await session.send(other);
    if (statusOf(third) === 201 && jsonOf(third)?.id === jsonOf(first)?.id) {
      return fail(third, 'another end user got the same conversation', 'a different conversation id');
    }
    return { ok: true };
  },
};

/** A different, still valid UUID. */
function flipUuid(uuid: string): string {
  const last = uuid.at(-1) === '0' ? '1' : '0';
  return uuid.slice(0, -1) + last;
}

export const feather: ApiContract = {
  name: 'feather',
  prepare: {
    async [SEND_MESSAGE](generated, session) {
      const id = await newSessionId(session);
      return { ...generated, pathParams: { ...generated.pathParams, session_id: id } };
    },
    [GET_OR_CREATE]: (generated) => ({ ...generated, body: withOneBinding(generated.body as Record<string, any>) }),
  },
  sequences: [sessionTakesMessages, unknownSessionRejected, getOrCreateReturnsSame],
};
