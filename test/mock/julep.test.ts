/** Julep through HTTP: POST /sessions with its documented defaults and every recall_options bound. */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningMock } from '../../src/mock/server.js';
import { postJson } from '../helpers/http.js';
import { expectFastApiValidation, julepKey, locs, PATHS, startBundledMock, UUID } from '../helpers/mock.js';

let mock: RunningMock;
beforeAll(async () => {
  mock = await startBundledMock();
});
afterAll(() => mock?.close());

const createSession = (body: unknown) => postJson(mock.url, PATHS.julepSessions, body, julepKey());

// The defaults each recall mode documents.
const COMMON_RECALL_DEFAULTS = {
  limit: 10,
  lang: 'en-US',
  metadata_filter: {},
  num_search_messages: 4,
  max_query_length: 1000,
  include_embeddings: true,
};
const RECALL_DEFAULTS = {
  vector: { ...COMMON_RECALL_DEFAULTS, mode: 'vector', confidence: 0.5, mmr_strength: 0.5 },
  text: { ...COMMON_RECALL_DEFAULTS, mode: 'text' },
  hybrid: {
    ...COMMON_RECALL_DEFAULTS,
    mode: 'hybrid',
    confidence: 0.5,
    alpha: 0.5,
    mmr_strength: 0.5,
    k_multiplier: 7,
  },
} as const;

describe('Julep POST /sessions', () => {
  it('answers 201 with a Session carrying the documented defaults', async () => {
    const response = await createSession({ agent: randomUUID(), user: randomUUID() });
    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      id: expect.stringMatching(UUID),
      situation: null,
      system_template: null,
      summary: null,
      render_templates: true,
      token_budget: null,
      context_overflow: null,
      auto_run_tools: false,
      forward_tool_calls: false,
      recall_options: null,
      metadata: null,
      kind: null,
      created_at: expect.any(String),
      updated_at: response.body.created_at,
    });
  });

  it("answers under the spec's server base path (/api) as well", async () => {
    const response = await postJson(
      mock.url,
      `/api${PATHS.julepSessions}`,
      { agent: '1b2c3d4e-5f60-4718-8293-a4b5c6d7e8f9' },
      julepKey(),
    );
    expect(response.status, response.text).toBe(201);
    expect(response.body.render_templates).toBe(true);
  });

  it('echoes what the request sets over the defaults', async () => {
    const request = {
      situation: 'You are a travel agent',
      render_templates: false,
      token_budget: 4096,
      context_overflow: 'adaptive',
      auto_run_tools: true,
      metadata: { team: 'growth' },
    };
    const response = await createSession(request);
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject(request);
  });

  for (const mode of ['vector', 'text', 'hybrid'] as const) {
    it(`fills the ${mode} recall defaults around what the request sets`, async () => {
      const response = await createSession({ recall_options: { mode, limit: 3 } });
      expect(response.status, response.text).toBe(201);
      expect(response.body.recall_options).toEqual({ ...RECALL_DEFAULTS[mode], limit: 3 });
    });
  }

  it('reads recall options without a mode as the first kind that accepts them', async () => {
    expect((await createSession({ recall_options: {} })).body.recall_options).toEqual(RECALL_DEFAULTS.vector);
    // mmr_strength 1 is outside the vector and hybrid bounds; only the text kind (which has no such field) accepts it.
    const text = await createSession({ recall_options: { mmr_strength: 1 } });
    expect(text.status, text.text).toBe(201);
    expect(text.body.recall_options.mode).toBe('text');
  });

  it('answers 422 when no body is sent', async () => {
    const response = await postJson(mock.url, PATHS.julepSessions, undefined, {
      ...julepKey(),
      'content-type': 'application/json',
    });
    expect(locs(expectFastApiValidation(response))).toContain('body');
  });

  describe('enforces every recall_options bound (422 at the field)', () => {
    const accepted: [string, Record<string, unknown>][] = [
      ['limit 1', { mode: 'vector', limit: 1 }],
      ['limit 50', { mode: 'hybrid', limit: 50 }],
      ['confidence -1', { mode: 'vector', confidence: -1 }],
      ['confidence 1', { mode: 'hybrid', confidence: 1 }],
      ['mmr_strength 0', { mode: 'vector', mmr_strength: 0 }],
      ['mmr_strength just under 1', { mode: 'hybrid', mmr_strength: 0.999 }],
      ['alpha 1', { mode: 'hybrid', alpha: 1 }],
      ['max_query_length 100', { mode: 'text', max_query_length: 100 }],
      ['num_search_messages 50', { mode: 'text', num_search_messages: 50 }],
    ];
    for (const [name, recall] of accepted) {
      it(`accepts ${name}`, async () => {
        const response = await createSession({ recall_options: recall });
        expect(response.status, response.text).toBe(201);
        expect(response.body.recall_options).toMatchObject(recall);
      });
    }

    const rejected: [string, Record<string, unknown>, string, string][] = [
      ['limit 0', { mode: 'vector', limit: 0 }, 'limit', 'greater_than_equal'],
      ['limit 51', { mode: 'text', limit: 51 }, 'limit', 'less_than_equal'],
      ['a fractional limit', { mode: 'hybrid', limit: 2.5 }, 'limit', 'int_type'],
      ['confidence below -1', { mode: 'vector', confidence: -1.01 }, 'confidence', 'greater_than_equal'],
      ['confidence above 1', { mode: 'hybrid', confidence: 1.5 }, 'confidence', 'less_than_equal'],
      [
        'mmr_strength of exactly 1 (exclusive maximum)',
        { mode: 'vector', mmr_strength: 1 },
        'mmr_strength',
        'less_than',
      ],
      ['mmr_strength 1 in hybrid mode', { mode: 'hybrid', mmr_strength: 1 }, 'mmr_strength', 'less_than'],
      ['a negative mmr_strength', { mode: 'vector', mmr_strength: -0.1 }, 'mmr_strength', 'greater_than_equal'],
      ['an unknown mode', { mode: 'semantic' }, 'mode', 'literal_error'],
      ['alpha above 1', { mode: 'hybrid', alpha: 1.1 }, 'alpha', 'less_than_equal'],
      ['num_search_messages 0', { mode: 'text', num_search_messages: 0 }, 'num_search_messages', 'greater_than_equal'],
      ['max_query_length 99', { mode: 'vector', max_query_length: 99 }, 'max_query_length', 'greater_than_equal'],
      ['max_query_length 10001', { mode: 'vector', max_query_length: 10_001 }, 'max_query_length', 'less_than_equal'],
      ['a negative k_multiplier', { mode: 'hybrid', k_multiplier: -1 }, 'k_multiplier', 'greater_than_equal'],
      [
        'trigram_similarity_threshold above 1',
        { mode: 'text', trigram_similarity_threshold: 1.5 },
        'trigram_similarity_threshold',
        'less_than_equal',
      ],
    ];
    for (const [name, recall, field, type] of rejected) {
      it(`rejects ${name}`, async () => {
        const issues = expectFastApiValidation(await createSession({ recall_options: recall }));
        expect(issues).toContainEqual(expect.objectContaining({ loc: ['body', 'recall_options', field], type }));
      });
    }
  });

  it('rejects other fields outside their schema at their location', async () => {
    const issues = expectFastApiValidation(
      await createSession({ agent: 'not-a-uuid', context_overflow: 'spill', render_templates: 'yes', users: ['x'] }),
    );
    expect(locs(issues)).toEqual(
      expect.arrayContaining(['body.agent', 'body.context_overflow', 'body.render_templates', 'body.users.0']),
    );
  });
});
