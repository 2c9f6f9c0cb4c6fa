/** Reference data the APIs assume exists (ElizaOS agents), from a fixtures file and the admin API. */
import { readFile } from 'node:fs/promises';
import { isPlainObject } from '../openapi/json-value.js';

export interface Agent {
  id: string;
  name: string;
  [extra: string]: unknown;
}

export interface FixtureData {
  agents?: Agent[];
}

/** Always present, so ElizaOS sessions can be created out of the box. */
export const DEMO_AGENT: Agent = { id: '00000000-0000-4000-8000-000000000001', name: 'Demo Agent' };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class Fixtures {
  private readonly agents = new Map<string, Agent>([[DEMO_AGENT.id, DEMO_AGENT]]);

  agent(id: string): Agent | undefined {
    return this.agents.get(id.toLowerCase());
  }

  listAgents(): Agent[] {
    return [...this.agents.values()];
  }

  /** Adds or replaces fixtures; throws with a readable message on malformed data. */
  merge(data: unknown): void {
    for (const agent of parseFixtures(data).agents ?? []) this.agents.set(agent.id.toLowerCase(), agent);
  }

  toJSON(): FixtureData {
    return { agents: this.listAgents() };
  }

  static async fromFile(file: string | undefined): Promise<Fixtures> {
    const fixtures = new Fixtures();
    if (file) {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (error) {
        throw new Error(`cannot read fixtures file ${file}: ${(error as Error).message}`);
      }
      try {
        fixtures.merge(JSON.parse(text));
      } catch (error) {
        throw new Error(`fixtures file ${file}: ${(error as Error).message}`);
      }
    }
    return fixtures;
  }
}

export function parseFixtures(data: unknown): FixtureData {
  if (!isPlainObject(data)) throw new Error('fixtures must be a JSON object like {"agents": [...]}');
  const agents = (data as { agents?: unknown }).agents;
  if (agents === undefined) return {};
  if (!Array.isArray(agents)) throw new Error('"agents" must be an array');
  return {
    agents: agents.map((agent, index) => {
      if (!agent || typeof agent !== 'object' || typeof agent.id !== 'string' || !UUID.test(agent.id)) {
        throw new Error(`agents[${index}] needs an "id" that is a UUID`);
      }
      return { ...agent, name: typeof agent.name === 'string' ? agent.name : `Agent ${agent.id.slice(0, 8)}` };
    }),
  };
}
