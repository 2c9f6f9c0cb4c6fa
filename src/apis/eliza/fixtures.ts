/** ElizaOS agents: the reference data its sessions name, with a demo agent so sessions work out of the box. */
import type { FixtureKind, FixtureRecord } from '../../mock/fixtures.js';

export interface Agent extends FixtureRecord {
  name: string;
}

/** Always present where an ElizaOS spec is served. */
export const DEMO_AGENT: Agent = { id: '00000000-0000-4000-8000-000000000001', name: 'Demo Agent' };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const AGENTS: FixtureKind = {
  name: 'agents',
  defaults: [DEMO_AGENT],
  caseInsensitiveIds: true,
  parse(agent, index): Agent {
    if (typeof agent.id !== 'string' || !UUID.test(agent.id))
      throw new Error(`[${index}] needs an "id" that is a UUID`);
    return {
      ...agent,
      id: agent.id,
      name: typeof agent.name === 'string' ? agent.name : `Agent ${agent.id.slice(0, 8)}`,
    };
  },
};
