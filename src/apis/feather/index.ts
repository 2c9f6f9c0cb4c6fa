/** Feather: ask-feather sessions with messages, and get-or-create conversations. */
import type { ApiModule } from '../api-module.js';
import { recognisedBy } from '../recognise.js';
import { checkSeededSession, createSession, getOrCreateConversation, sendMessage } from './behaviours.js';
import { feather as contract } from './contract.js';

export const featherApi: ApiModule = {
  name: 'feather',
  matches: recognisedBy([
    { operation: 'POST /v1/ask-feather/sessions', properties: ['title'] },
    {
      operation: 'POST /v1/v2/conversations',
      properties: ['end_user_id', 'assistant_id', 'team_id', 'team_revision_id'],
    },
  ]),
  behaviours: {
    'POST /v1/ask-feather/sessions': createSession,
    'POST /v1/ask-feather/sessions/{session_id}/messages': sendMessage,
    'POST /v1/v2/conversations': getOrCreateConversation,
  },
  contract,
  seedChecks: { 'feather.sessions': checkSeededSession },
};
