/** ElizaOS: messaging sessions with an agent known from its fixtures. */
import type { ApiModule } from '../api-module.js';
import { recognisedBy } from '../recognise.js';
import { createSession } from './behaviours.js';
import { eliza as contract } from './contract.js';
import { AGENTS } from './fixtures.js';

export const elizaApi: ApiModule = {
  name: 'eliza',
  matches: recognisedBy([
    { operation: 'POST /api/messaging/sessions', properties: ['agentId', 'userId', 'timeoutConfig'] },
  ]),
  behaviours: { 'POST /api/messaging/sessions': createSession },
  contract,
  fixtures: [AGENTS],
};
