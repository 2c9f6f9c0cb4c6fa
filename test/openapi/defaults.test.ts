import { describe, expect, it } from 'vitest';
import { applyDefaults } from '../../src/openapi/defaults.js';

describe('applyDefaults', () => {
  it('fills missing properties at every level, keeping what the value has', () => {
    const schema = {
      type: 'object',
      properties: {
        name: { type: 'string' },
        limit: { type: 'integer', default: 10 },
        options: { type: 'object', properties: { deep: { type: 'boolean', default: true }, kept: { type: 'string' } } },
      },
    };
    expect(applyDefaults(schema, { name: 'a', options: { kept: 'x' } })).toEqual({
      name: 'a',
      limit: 10,
      options: { kept: 'x', deep: true },
    });
    expect(applyDefaults(schema, { limit: 3 })).toEqual({ limit: 3 });
  });

  it('takes the defaults of the union branch the value fits', () => {
    const schema = {
      anyOf: [
        { type: 'object', properties: { mode: { const: 'text' }, limit: { default: 10 } } },
        {
          type: 'object',
          properties: { mode: { const: 'vector' }, limit: { default: 50 }, confidence: { default: 0.5 } },
        },
      ],
    };
    expect(applyDefaults(schema, { mode: 'vector' })).toEqual({ mode: 'vector', limit: 50, confidence: 0.5 });
    expect(applyDefaults(schema, { mode: 'text' })).toEqual({ mode: 'text', limit: 10 });
  });

  it('follows reference cycles to defaults reachable only the way round', () => {
    // A person has a default; a team declares none of its own but reaches people through members.
    const person: Record<string, any> = { type: 'object', properties: {} };
    const team = { type: 'object', properties: { members: { type: 'array', items: person } } };
    // The cycle comes first, so it is met before the default that makes it worth walking.
    person.properties.team = team;
    person.properties.role = { type: 'string', default: 'member' };
    expect(applyDefaults(person, { team: { members: [{ team: { members: [{}] } }] } })).toEqual({
      role: 'member',
      team: { members: [{ role: 'member', team: { members: [{ role: 'member' }] } }] },
    });
  });

  it('never lets a value share a default object with the spec', () => {
    const schema = { type: 'object', properties: { metadata: { type: 'object', default: { tags: [] } } } };
    const filled = applyDefaults(schema, {}) as { metadata: { tags: string[] } };
    filled.metadata.tags.push('changed');
    expect(schema.properties.metadata.default).toEqual({ tags: [] });
    expect((applyDefaults(schema, {}) as typeof filled).metadata.tags).toEqual([]);
  });

  it('leaves values under schemas without defaults as they are', () => {
    const schema = { type: 'object', properties: { a: { type: 'object', properties: { b: { type: 'string' } } } } };
    const value = { a: { b: 'x' }, extra: 1 };
    expect(applyDefaults(schema, value)).toEqual({ a: { b: 'x' }, extra: 1 });
  });
});
