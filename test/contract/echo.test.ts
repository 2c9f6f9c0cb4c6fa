/**
 * Issue #10's false positive: absent and null are judged by what the schema allows. A Julep server
 * that leaves a non-required field out of the Session when it was sent as null conforms; one that
 * drops a field sent with a value does not.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLED_CONTRACTS } from '../../src/apis/index.js';
import { echoMismatch } from '../../src/contract/properties.js';
import { runContract } from '../../src/contract/runner.js';
import type { RunningMock } from '../../src/mock/server.js';
import { startRelay, type RelayBehaviour } from '../faulty/relay.js';
import { SPEC_FILES, startBundledMock } from '../helpers/mock.js';

const SCHEMA = {
  type: 'object',
  required: ['id', 'title'],
  properties: {
    id: { type: 'string' },
    title: { type: ['string', 'null'] },
    metadata: { type: ['object', 'null'] },
    secret: { type: 'string', writeOnly: true },
  },
};

describe('echoMismatch', () => {
  it('accepts a non-required field sent as null and left out', () => {
    expect(echoMismatch(SCHEMA, { metadata: null }, { id: 'x', title: null })).toBeUndefined();
  });
  it('refuses a required field sent as null and left out, and a field sent with a value and left out', () => {
    expect(echoMismatch(SCHEMA, { title: null }, { id: 'x' })?.message).toBe('title is missing from the answer');
    expect(echoMismatch(SCHEMA, { metadata: { a: 1 } }, { id: 'x', title: null })?.message).toBe(
      'metadata is missing from the answer',
    );
  });
  it('refuses a different value, ignores writeOnly fields and key order', () => {
    expect(echoMismatch(SCHEMA, { title: 'a' }, { id: 'x', title: 'b' })?.message).toBe('title is "b"');
    expect(
      echoMismatch(
        SCHEMA,
        { secret: 's', metadata: { a: 1, b: 2 } },
        { id: 'x', title: null, metadata: { b: 2, a: 1 } },
      ),
    ).toBeUndefined();
  });
  it('reads properties and required through allOf', () => {
    const composed = {
      allOf: [
        { type: 'object', required: ['tag'], properties: { tag: { type: ['string', 'null'] } } },
        { properties: { id: { type: 'string' } } },
      ],
    };
    expect(echoMismatch(composed, { tag: null }, { id: 'x' })?.message).toBe('tag is missing from the answer');
  });
});

describe('julep.defaults_echo, absent against null', () => {
  let mock: RunningMock;
  beforeAll(async () => {
    mock = await startBundledMock({ apiKeys: ['key-alpha'] });
  });
  afterAll(async () => {
    await mock?.close();
  });

  /** Sessions created with `metadata: null` in the request, counted so the test knows it tested the case. */
  let sentNull = 0;
  const dropFromSession = (keep: (value: unknown) => boolean): RelayBehaviour => ({
    respond: (incoming, answer) => {
      if (incoming.method !== 'POST' || incoming.path !== '/sessions' || answer.status !== 201) return undefined;
      if (incoming.json?.metadata === null) sentNull++;
      return {
        status: 201,
        json: Object.fromEntries(
          Object.entries(answer.json).filter(([name, value]) => name !== 'metadata' || keep(value)),
        ),
      };
    },
  });

  const run = (target: string, seed: number) =>
    runContract({
      target,
      specFiles: [SPEC_FILES.julep],
      contracts: [...BUNDLED_CONTRACTS],
      apiKey: 'key-alpha',
      seed,
      runs: 25,
      phases: ['stateful'],
      only: ['julep.defaults_echo'],
    });

  it('a server that leaves out metadata sent as null conforms (5 seeds)', async () => {
    const relay = await startRelay(
      mock.url,
      dropFromSession((value) => value !== null),
    );
    try {
      for (const seed of [1, 2, 3, 4, 5]) {
        const report = await run(relay.url, seed);
        expect(
          report.failures.map((f) => f.message),
          `seed ${seed}`,
        ).toEqual([]);
      }
      expect(sentNull).toBeGreaterThan(0);
    } finally {
      await relay.close();
    }
  });

  it('a server that always leaves out metadata fails', async () => {
    const relay = await startRelay(
      mock.url,
      dropFromSession(() => false),
    );
    try {
      const failures = (await Promise.all([1, 2, 3].map((seed) => run(relay.url, seed)))).flatMap((r) => r.failures);
      expect(failures.map((f) => f.message)).toContain('metadata is missing from the answer');
    } finally {
      await relay.close();
    }
  });
});
