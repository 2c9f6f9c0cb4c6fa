/** Julep: sessions created with the spec's documented defaults filled in. */
import type { ApiModule } from '../api-module.js';
import { recognisedBy } from '../recognise.js';
import { createSession } from './behaviours.js';
import { julep as contract } from './contract.js';

export const julepApi: ApiModule = {
  name: 'julep',
  matches: recognisedBy([
    { operation: 'POST /sessions', properties: ['agent', 'recall_options', 'render_templates', 'forward_tool_calls'] },
  ]),
  behaviours: { 'POST /sessions': createSession },
  contract,
};
