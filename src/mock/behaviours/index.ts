/** Hand-written behaviours by operation ("METHOD /path"); every other operation gets the generic one. */
import type { Operation } from '../../spec/types.js';
import type { Behaviour } from '../behaviour.js';
import * as eliza from './eliza.js';
import * as feather from './feather.js';
import { genericBehaviour } from './generic.js';
import * as julep from './julep.js';

const BEHAVIOURS: Record<string, Behaviour> = {
  'POST /v1/ask-feather/sessions': feather.createSession,
  'POST /v1/ask-feather/sessions/{session_id}/messages': feather.sendMessage,
  'POST /v1/v2/conversations': feather.getOrCreateConversation,
  'POST /sessions': julep.createSession,
  'POST /api/messaging/sessions': eliza.createSession,
};

/** Looked up once per operation rather than by building its key on every request. */
const handWritten = new WeakMap<Operation, Behaviour | null>();

function handWrittenBehaviour(operation: Operation): Behaviour | null {
  let behaviour = handWritten.get(operation);
  if (behaviour === undefined) {
    behaviour = BEHAVIOURS[`${operation.method.toUpperCase()} ${operation.path}`] ?? null;
    handWritten.set(operation, behaviour);
  }
  return behaviour;
}

export function behaviourFor(operation: Operation, concretePath: string): Behaviour {
  return handWrittenBehaviour(operation) ?? genericBehaviour(concretePath);
}
