/**
 * Backend bugs the schema cannot see, each as a relay behaviour in front of the parley mock: the
 * mistakes of a real Feather, Julep or ElizaOS backend in tenancy, prose rules, identity, defaults,
 * ids, Unicode handling, authentication and speed.
 */
import { DEMO_AGENT_ID } from '../helpers/mock.js';
import type { Incoming, RelayBehaviour } from './relay.js';

const CONVERSATIONS = '/v1/v2/conversations';
const FEATHER_SESSIONS = '/v1/ask-feather/sessions';
const ELIZA_SESSIONS = '/api/messaging/sessions';

const isPost = (incoming: Incoming, path: string) => incoming.method === 'POST' && incoming.path === path;

/** A get-or-create whose unique index leaves out one field of the identity: the first conversation found wins. */
function identityIgnoring(field: 'channel' | 'external_id'): RelayBehaviour {
  const index = new Map<string, unknown>();
  return {
    respond(incoming, answer) {
      if (!isPost(incoming, CONVERSATIONS) || answer.status !== 201) return undefined;
      const { [field]: _ignored, ...identity } = { channel: 'chat', ...incoming.json };
      const key = JSON.stringify([
        incoming.headers['x-api-key'],
        identity.end_user_id,
        identity.channel ?? null,
        identity.external_id ?? null,
        identity.assistant_id ?? null,
        identity.team_id ?? null,
        identity.team_revision_id ?? null,
      ]);
      const earlier = index.get(key);
      if (earlier === undefined) index.set(key, answer.json);
      return earlier === undefined ? undefined : { status: 201, json: earlier };
    },
  };
}

export const BACKEND_BUGS = {
  /** Every valid key resolves to the first customer's organization (a hard-coded tenant left from a demo). */
  cross_tenant_leak: (knownKeys: string[]): RelayBehaviour => ({
    forwardHeaders: ({ headers }) =>
      knownKeys.includes(headers['x-api-key'] ?? '') ? { ...headers, 'x-api-key': knownKeys[0] } : headers,
  }),
  /** The binding is "repaired" instead of refused: both → the assistant wins, neither → bound to the end user, a team without revision → its latest. */
  ignores_binding_rule: (): RelayBehaviour => ({
    rewrite: ({ path, method, json }) => {
      if (method !== 'POST' || path !== CONVERSATIONS || !json || typeof json !== 'object') return json;
      const { assistant_id, assistant_revision_id, team_id, team_revision_id, ...rest } = json;
      if (assistant_id != null)
        return { ...rest, assistant_id, ...(assistant_revision_id == null ? {} : { assistant_revision_id }) };
      if (team_id != null) return { ...rest, team_id, team_revision_id: team_revision_id ?? team_id };
      return { ...rest, assistant_id: rest.end_user_id };
    },
  }),
  identity_ignores_channel: (): RelayBehaviour => identityIgnoring('channel'),
  identity_ignores_external_id: (): RelayBehaviour => identityIgnoring('external_id'),
  /** The agent lookup falls back to the default agent instead of answering 404. */
  accepts_unknown_agent: (): RelayBehaviour => ({
    rewrite: ({ path, method, json }) =>
      method === 'POST' && path === ELIZA_SESSIONS && json && typeof json === 'object'
        ? { ...json, agentId: DEMO_AGENT_ID }
        : json,
    respond: (incoming, answer) =>
      isPost(incoming, ELIZA_SESSIONS) && answer.status === 201 && typeof incoming.json?.agentId === 'string'
        ? { status: 201, json: { ...answer.json, agentId: incoming.json.agentId } }
        : undefined,
  }),
  /** Session ids from the clock's seconds: two sessions created in one second share an id. */
  duplicate_ids: (): RelayBehaviour => ({
    respond: (incoming, answer) => {
      if (!isPost(incoming, FEATHER_SESSIONS) || answer.status !== 201) return undefined;
      const seconds = Math.floor(Date.now() / 1000)
        .toString(16)
        .padStart(12, '0');
      return { status: 201, json: { ...answer.json, id: `00000000-0000-4000-8000-${seconds}` } };
    },
  }),
  /** A message with a character outside the BMP crashes the worker (a UTF-16 length used as a byte count): the connection drops. */
  crashes_on_astral: (): RelayBehaviour => ({
    answer: (incoming) =>
      incoming.method === 'POST' &&
      /\/messages$/.test(incoming.path) &&
      /[\u{10000}-\u{10FFFF}]/u.test(String(incoming.json?.content ?? ''))
        ? 'reset'
        : undefined,
  }),
  /** New conversations default to session_type "test" (the staging default shipped to production). */
  wrong_defaults: (): RelayBehaviour => ({
    respond: (incoming, answer) =>
      isPost(incoming, CONVERSATIONS) && answer.status === 201 && incoming.json?.session_type === undefined
        ? { status: 201, json: { ...answer.json, session_type: 'test' } }
        : undefined,
  }),
  /** An unknown key falls through to the default tenant instead of a 401. */
  accepts_wrong_key: (knownKeys: string[]): RelayBehaviour => ({
    forwardHeaders: ({ headers }) => {
      const key = headers['x-api-key'] ?? headers.authorization;
      if (key === undefined || knownKeys.includes(key.replace(/^Bearer /i, ''))) return headers;
      return {
        ...headers,
        ...(headers['x-api-key'] ? { 'x-api-key': knownKeys[0] } : { authorization: knownKeys[0] }),
      };
    },
  }),
  /** Creating an ElizaOS session waits on an unindexed query. */
  slow_operation: (delayMs: number): RelayBehaviour => ({
    delayMs: (incoming) => (isPost(incoming, ELIZA_SESSIONS) ? delayMs : 0),
  }),
};
