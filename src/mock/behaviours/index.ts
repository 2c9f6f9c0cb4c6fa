/**
 * Hand-written behaviours of the bundled APIs, by API and operation ("METHOD /path"). They apply only
 * to a spec recognised as that API; every other operation gets the generic one.
 */
import { bundledApiOf, type BundledApiName } from '../../apis/recognise.js';
import type { Operation } from '../../openapi/types.js';
import type { Behaviour } from '../behaviour.js';
import * as eliza from './eliza.js';
import * as feather from './feather.js';
import * as julep from './julep.js';

const BEHAVIOURS: ReadonlyMap<BundledApiName, ReadonlyMap<string, Behaviour>> = new Map([
  [
    'feather',
    new Map([
      ['POST /v1/ask-feather/sessions', feather.createSession],
      ['POST /v1/ask-feather/sessions/{session_id}/messages', feather.sendMessage],
      ['POST /v1/v2/conversations', feather.getOrCreateConversation],
    ]),
  ],
  ['julep', new Map([['POST /sessions', julep.createSession]])],
  ['eliza', new Map([['POST /api/messaging/sessions', eliza.createSession]])],
]);

/** The operation's hand-written behaviour, if its spec is a bundled API (looked up once per operation, at start-up). */
export function handWrittenBehaviour(operation: Operation): Behaviour | undefined {
  const api = bundledApiOf(operation.spec);
  return api && BEHAVIOURS.get(api)?.get(`${operation.method.toUpperCase()} ${operation.path}`);
}

/** Checks of records seeded into a hand-written behaviour's collection: a message naming what is wrong, or undefined. */
const SEED_CHECKS = new Map<string, (record: Record<string, unknown>) => string | undefined>([
  ['feather.sessions', feather.checkSeededSession],
]);

export function checkSeededRecord(collection: string, record: Record<string, unknown>): string | undefined {
  return SEED_CHECKS.get(collection)?.(record);
}

export { genericBehaviour } from './generic.js';
