/**
 * Feather's contract: sessions take messages, unknown sessions are refused, get-or-create is
 * idempotent over its identity (end user, channel, external id, binding) and nothing else, the
 * binding rule and documented defaults the schema states only in prose, and one tenant's
 * conversations and sessions are invisible to another key.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import {
  fail,
  jsonOf,
  precondition,
  statusOf,
  type ApiContract,
  type ContractSession,
  type Sequence,
  type SequenceOutcome,
} from '../../contract/api-contract.js';
import { echoMismatch, expectAnswer, identicalCreatesAreDistinct } from '../../contract/properties.js';
import type { ContractRequest, Exchange } from '../../contract/types.js';
import { applyDefaults } from '../../openapi/defaults.js';

const CREATE_SESSION = 'POST /v1/ask-feather/sessions';
const SEND_MESSAGE = 'POST /v1/ask-feather/sessions/{session_id}/messages';
const GET_OR_CREATE = 'POST /v1/v2/conversations';

const request = (
  session: ContractSession,
  key: string,
  body: unknown,
  pathParams: Record<string, unknown> = {},
): ContractRequest => ({
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
  return precondition(
    exchange,
    `creating a session for the message answered ${statusOf(exchange) ?? 'nothing'}`,
    '201 with the new session id',
  );
}

/**
 * The schema allows any mix of assistant and team ids; the docs allow exactly one binding
 * (an assistant, or a team with its revision). Make a generated body follow the docs.
 */
function withOneBinding(body: Record<string, any>): Record<string, any> {
  // Copies without the dropped keys rather than `delete`: this runs for every generated request,
  // and objects that lost keys are slower for everything that reads them afterwards.
  if (body.assistant_id != null) return without(body, ['team_id', 'team_revision_id']);
  if (body.team_id != null) {
    const out = without(body, ['assistant_revision_id']);
    out.team_revision_id ??= out.team_id;
    return out;
  }
  return { ...without(body, ['assistant_revision_id', 'team_revision_id']), assistant_id: body.end_user_id };
}

function without(body: Record<string, any>, names: readonly string[]): Record<string, any> {
  return Object.fromEntries(Object.entries(body).filter(([name]) => !names.includes(name)));
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
    if (statusOf(created) !== 201 || typeof id !== 'string')
      return fail(created, `creating a session answered ${statusOf(created)}`, '201 with an id');
    if (jsonOf(created).title !== title)
      return fail(
        created,
        `the new session's title is ${JSON.stringify(jsonOf(created).title)}`,
        `the title sent, ${JSON.stringify(title)}`,
      );
    for (const content of contents) {
      const sent = await session.send(request(session, SEND_MESSAGE, { content }, { session_id: id }));
      if (statusOf(sent) !== 200)
        return fail(sent, `a message to the session just created answered ${statusOf(sent)}`, '200');
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
    return status === 404
      ? { ok: true }
      : fail(sent, `a message to unknown session ${sessionId} answered ${status}`, '404');
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
        request(session, GET_OR_CREATE, {
          end_user_id: endUser,
          assistant_id: assistant,
          channel,
          ...(externalId ? { external_id: externalId } : {}),
        }),
      ),
  async run(session, conversation) {
    const first = await session.send(conversation);
    if (statusOf(first) !== 201) return fail(first, `get-or-create answered ${statusOf(first)}`, '201');
    const second = await session.send(conversation);
    if (statusOf(second) !== 201) return fail(second, `the repeated get-or-create answered ${statusOf(second)}`, '201');
    if (jsonOf(second)?.id !== jsonOf(first)?.id) {
      return fail(
        second,
        `the repeated request returned conversation ${jsonOf(second)?.id}, the first ${jsonOf(first)?.id}`,
        'the same conversation id',
      );
    }
    const other = {
      ...conversation,
      body: { ...(conversation.body as object), end_user_id: flipUuid((conversation.body as any).end_user_id) },
    };
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

/** Bodies that break the binding rule (exactly one of an assistant, or a team with its revision). */
const BROKEN_BINDINGS: [string, (ids: string[]) => Record<string, string>][] = [
  ['an assistant and a team', ([a, t, r]) => ({ assistant_id: a, team_id: t, team_revision_id: r })],
  ['an assistant and a team revision', ([a, , r]) => ({ assistant_id: a, team_revision_id: r })],
  ['no binding at all', () => ({})],
  ['a team without its revision', ([, t]) => ({ team_id: t })],
  ['a team revision without its team', ([, , r]) => ({ team_revision_id: r })],
  ['an assistant revision without its assistant', ([a]) => ({ assistant_revision_id: a })],
];

const bindingRule: Sequence<{ channel: string; ids: string[] }> = {
  name: 'feather.binding_rule',
  description:
    'get-or-create binds to exactly one of an assistant, or a team with its revision: anything else is a 400 ErrorResponse',
  operations: [GET_OR_CREATE],
  input: () =>
    fc.record({
      channel: fc.constantFrom('chat', 'sms', 'voice'),
      ids: fc.tuple(fc.uuid({ version: 4 }), fc.uuid({ version: 4 }), fc.uuid({ version: 4 })),
    }),
  async run(session, { channel, ids }) {
    // Every broken form in every run: a server that checks only one of them is caught whatever the seed.
    for (const [what, binding] of BROKEN_BINDINGS) {
      const sent = await session.send(
        request(session, GET_OR_CREATE, { end_user_id: randomUUID(), channel, ...binding(ids) }),
      );
      const outcome = expectAnswer(sent, 400, `a conversation bound to ${what}`);
      if (!outcome.ok) return outcome;
    }
    return { ok: true };
  },
};

interface Identity {
  end_user_id: string;
  channel: string;
  external_id?: string;
  assistant_id?: string;
  team_id?: string;
  team_revision_id?: string;
}

/** One identity and, for each part of it, a variant that differs in that part alone. */
const identityInput = () =>
  fc.record({
    channel: fc.constantFrom('chat', 'sms', 'voice'),
    externalId: fc.option(fc.string({ minLength: 1, maxLength: 20 }), { nil: undefined }),
    team: fc.boolean(),
  });

function identityVariants(base: Identity): [string, Identity][] {
  const { end_user_id, channel, external_id, assistant_id, team_id, team_revision_id } = base;
  const binding = team_id ? { team_id, team_revision_id } : { assistant_id };
  const unbound = { end_user_id, channel, ...(external_id === undefined ? {} : { external_id }) };
  return [
    ['another channel', { ...base, channel: channel === 'chat' ? 'sms' : 'chat' }],
    [
      external_id === undefined ? 'an external_id' : 'another external_id',
      { ...base, external_id: `${external_id ?? ''}-other` },
    ],
    ...(external_id === undefined
      ? []
      : ([['no external_id', { end_user_id, channel, ...binding }]] as [string, Identity][])),
    ['another assistant', { ...unbound, assistant_id: randomUUID() }],
    ['another team', { ...unbound, team_id: randomUUID(), team_revision_id: randomUUID() }],
    ...(team_id
      ? ([['another team revision', { ...base, team_revision_id: randomUUID() }]] as [string, Identity][])
      : []),
  ];
}

const getOrCreateIdentity: Sequence<{ channel: string; externalId: string | undefined; team: boolean }> = {
  name: 'feather.get_or_create_identity',
  description:
    'get-or-create returns the same conversation for the same end user, channel, external_id and binding, and a new one when any of them differs',
  operations: [GET_OR_CREATE],
  input: identityInput,
  async run(session, { channel, externalId, team }) {
    // Fresh ids for every run: an identity left over from an earlier run would return its conversation.
    const base: Identity = {
      end_user_id: randomUUID(),
      channel,
      ...(externalId === undefined ? {} : { external_id: externalId }),
      ...(team ? { team_id: randomUUID(), team_revision_id: randomUUID() } : { assistant_id: randomUUID() }),
    };
    const first = await session.send(request(session, GET_OR_CREATE, base));
    const created = expectAnswer(first, 201, 'get-or-create');
    if (!created.ok) return created;
    const again = await session.send(request(session, GET_OR_CREATE, { ...base }));
    if (statusOf(again) !== 201 || jsonOf(again)?.id !== jsonOf(first)?.id) {
      return fail(
        again,
        `the same identity again answered ${statusOf(again)} with conversation ${jsonOf(again)?.id}`,
        `201 with the same conversation ${jsonOf(first)?.id}`,
      );
    }
    for (const [what, variant] of identityVariants(base)) {
      const other = await session.send(request(session, GET_OR_CREATE, variant));
      const outcome = expectAnswer(other, 201, `get-or-create with ${what}`);
      if (!outcome.ok) return outcome;
      if (jsonOf(other)?.id === jsonOf(first)?.id)
        return fail(other, `${what} returned the same conversation ${jsonOf(first)?.id}`, 'a different conversation');
    }
    return { ok: true };
  },
};

const v2Defaults: Sequence<{ channel?: string; session_type?: string; subject?: string; external_id?: string }> = {
  name: 'feather.v2_defaults',
  description:
    'a new conversation echoes what was sent, with the documented defaults (channel "chat", session_type "live") for what was not',
  operations: [GET_OR_CREATE],
  input: () =>
    fc.record(
      {
        channel: fc.constantFrom('chat', 'sms', 'voice'),
        session_type: fc.constantFrom('live', 'test', 'simulation'),
        subject: fc.string({ maxLength: 30 }),
        external_id: fc.string({ minLength: 1, maxLength: 20 }),
      },
      { requiredKeys: [] },
    ),
  async run(session, fields) {
    const operation = session.operation(GET_OR_CREATE);
    // The fields generated, then none of them: the documented defaults are checked in every run, not by chance.
    for (const sent of [fields, {}]) {
      const body = { end_user_id: randomUUID(), assistant_id: randomUUID(), ...sent };
      const created = await session.send(request(session, GET_OR_CREATE, body));
      const outcome = expectAnswer(created, 201, 'get-or-create');
      if (!outcome.ok) return outcome;
      const expected = applyDefaults(operation.requestBody?.content[0]?.schema, body) as Record<string, unknown>;
      const mismatch = echoMismatch(
        operation.responses.find((r) => r.status === '201')?.content[0]?.schema,
        expected,
        jsonOf(created),
      );
      if (mismatch) return fail(created, mismatch.message, mismatch.expected);
    }
    return { ok: true };
  },
};

const distinctSessions = identicalCreatesAreDistinct<string | null>({
  name: 'feather.distinct_sessions',
  operation: CREATE_SESSION,
  idField: 'id',
  status: 201,
  input: () => fc.option(fc.string({ maxLength: 40 }), { nil: null }),
  request: (session, title) => request(session, CREATE_SESSION, { title }),
});

/** Expects two answers from two tenants to be two different things. */
function sameAcrossTenants(first: Exchange, second: Exchange, field: string, what: string): SequenceOutcome {
  const [mine, theirs] = [jsonOf(first)?.[field], jsonOf(second)?.[field]];
  return mine !== undefined && mine === theirs
    ? fail(
        second,
        `the second key got the first key's ${what} (${field} ${JSON.stringify(mine)})`,
        `a ${what} of its own`,
      )
    : { ok: true };
}

const tenantIsolation: Sequence<{ channel: string; content: string }> = {
  name: 'feather.tenant_isolation',
  description:
    "what one key created is never visible through another: get-or-create gives each key its own conversation and organization, and another key's session is a 404",
  operations: [GET_OR_CREATE, CREATE_SESSION, SEND_MESSAGE],
  needsSecondCredential: true,
  input: () =>
    fc.record({
      channel: fc.constantFrom('chat', 'sms', 'voice'),
      content: fc.string({ minLength: 1, maxLength: 40 }),
    }),
  async run(session, { channel, content }) {
    const identity = { end_user_id: randomUUID(), assistant_id: randomUUID(), channel };
    const mine = await session.send(request(session, GET_OR_CREATE, identity));
    const created = expectAnswer(mine, 201, 'get-or-create');
    if (!created.ok) return created;
    const theirs = await session.send({ ...request(session, GET_OR_CREATE, identity), credential: 'secondary' });
    const createdToo = expectAnswer(theirs, 201, 'get-or-create with the second key');
    if (!createdToo.ok) return createdToo;
    for (const [field, what] of [
      ['id', 'conversation'],
      ['organization_id', 'organization'],
    ]) {
      const outcome = sameAcrossTenants(mine, theirs, field, what);
      if (!outcome.ok) return outcome;
    }
    const sessionId = await newSessionId(session);
    const foreign = await session.send({
      ...request(session, SEND_MESSAGE, { content }, { session_id: sessionId }),
      credential: 'secondary',
    });
    return statusOf(foreign) === 404
      ? { ok: true }
      : fail(
          foreign,
          `a message to the first key's session, sent with the second key, answered ${statusOf(foreign)}`,
          '404',
        );
  },
};

export const feather: ApiContract = {
  name: 'feather',
  generic: false,
  prepare: {
    async [SEND_MESSAGE](generated, session) {
      const id = await newSessionId(session);
      return { ...generated, pathParams: { ...generated.pathParams, session_id: id } };
    },
    [GET_OR_CREATE]: (generated) => ({ ...generated, body: withOneBinding(generated.body as Record<string, any>) }),
  },
  sequences: [
    sessionTakesMessages,
    unknownSessionRejected,
    getOrCreateReturnsSame,
    getOrCreateIdentity,
    bindingRule,
    v2Defaults,
    distinctSessions,
    tenantIsolation,
  ],
};
