/** Hand-written behaviours by operation ("METHOD /path"); every other operation gets the generic one. */
import type { Operation } from '../../spec/types.js';
import type { Behaviour } from '../behaviour.js';
import * as eliza from './eliza.js';
import * as feather from './feather.js';
import * as julep from './julep.js';

const BEHAVIOURS: Record<string, Behaviour> = {
  'POST /v1/ask-feather/sessions': feather.createSession,
  'POST /v1/ask-feather/sessions/{session_id}/messages': feather.sendMessage,
  'POST /v1/v2/conversations': feather.getOrCreateConversation,
  'POST /sessions': julep.createSession,
  'POST /api/messaging/sessions': eliza.createSession,
};

/** The operation's hand-written behaviour, if it has one (looked up once per operation, at start-up). */
export function handWrittenBehaviour(operation: Operation): Behaviour | undefined {
  return BEHAVIOURS[`${operation.method.toUpperCase()} ${operation.path}`];
}

/** Checks of records seeded into a hand-written behaviour's collection: a message naming what is wrong, or undefined. */
const SEED_CHECKS = new Map<string, (record: Record<string, unknown>) => string | undefined>([['feather.sessions', feather.checkSeededSession]]);

export function checkSeededRecord(collection: string, record: Record<string, unknown>): string | undefined {
  return SEED_CHECKS.get(collection)?.(record);
}

export { genericBehaviour } from './generic.js';
