/**
 * The generic mock answers only what its answer schemas admit, though it echoes and stores what
 * clients send: a request schema wider than the answer's (bound, enum value, type), a list schema
 * unlike the created one's, a record stored by a PUT with no body, and a spec example that breaks
 * its own schema. Also: JSON answered where JSON is one of the documented types, and HTTP Basic
 * taking a configured key as its user name. Checked over HTTP as a client sees it, then by the
 * harness against the same mock (one engine: any failure is a bug of one half).
 */
import { describe, expect, it } from 'vitest';
import { send } from '../helpers/http.js';
import { ROOT, specMockFor } from '../helpers/mock.js';
import { selfTest } from '../helpers/self-test.js';

const SPEC = `${ROOT}test/fixtures/real-world-defects/wider-requests-3.1.yaml`;
const UNION_SPEC = `${ROOT}test/fixtures/real-world-defects/answer-union-3.1.yaml`;
const basic = (userPassword: string) => ({
  authorization: `Basic ${Buffer.from(userPassword).toString('base64')}`,
});
const KEY = basic('key-alpha:');

describe('answers within the answer schema', () => {
  const mock = specMockFor([SPEC], { apiKeys: ['key-alpha', 'ada:s3cret'] });

  it('a create echoes what its answer admits and replaces what it refuses, in the answer and in the record', async () => {
    const created = await send(mock.url, 'POST', '/pets', {
      json: { name: 'Tom', kind: 'bird', age: 40, tag: 7 },
      headers: KEY,
    });
    expect(created.status).toBe(201);
    expect(created.body.name).toBe('Tom');
    expect(['cat', 'dog']).toContain(created.body.kind);
    expect(created.body.age).toBeGreaterThanOrEqual(0);
    expect(created.body.age).toBeLessThanOrEqual(30);
    expect(typeof created.body.tag).toBe('string');
    const read = await send(mock.url, 'GET', `/pets/${created.body.id}`, { headers: KEY });
    expect(read.status).toBe(200);
    expect(read.body).toEqual(created.body);
  });

  it('values the answer admits are echoed unchanged', async () => {
    const created = await send(mock.url, 'POST', '/pets', {
      json: { name: 'Rex', kind: 'dog', age: 30, tag: 'good' },
      headers: KEY,
    });
    expect(created.body).toMatchObject({ name: 'Rex', kind: 'dog', age: 30, tag: 'good' });
  });

  it('a list answers its own item schema, and a record a PUT stored without a body still has what GET requires', async () => {
    expect((await send(mock.url, 'PUT', '/pets/bare', { headers: KEY })).status).toBe(200);
    const bare = await send(mock.url, 'GET', '/pets/bare', { headers: KEY });
    expect(bare.status).toBe(200);
    expect(typeof bare.body.name).toBe('string');
    const list = await send(mock.url, 'GET', '/pets', { headers: KEY });
    expect(list.body.length).toBeGreaterThan(0);
    for (const pet of list.body) {
      expect(typeof pet.name).toBe('string');
      if ('age' in pet) expect(typeof pet.age).toBe('string');
    }
    expect(list.body.map((pet: { id: string }) => pet.id)).toContain('bare');
  });

  it('an example that breaks its own schema is not served as is', async () => {
    const config = await send(mock.url, 'GET', '/config');
    expect(config.status).toBe(200);
    expect(config.body.enabled).toBe(true); // what the example has right is kept
    expect(() => new URL(config.body.webhook_url)).not.toThrow();
  });

  it('answers JSON where JSON is one of the documented types, whatever comes first', async () => {
    const login = await send(mock.url, 'GET', '/login', { headers: { accept: 'application/json' } });
    expect(login.headers['content-type']).toMatch(/^application\/json/);
    expect(typeof login.body).toBe('string');
  });

  it('HTTP Basic takes a configured key as user name (empty password) or as user:password', async () => {
    expect((await send(mock.url, 'GET', '/vault', { headers: KEY })).status).toBe(200);
    expect((await send(mock.url, 'GET', '/vault', { headers: basic('ada:s3cret') })).status).toBe(200);
    expect((await send(mock.url, 'GET', '/vault', { headers: basic('ada:wrong') })).status).toBe(401);
    expect((await send(mock.url, 'GET', '/vault', { headers: basic('key-alpha:x') })).status).toBe(401);
    expect((await send(mock.url, 'GET', '/vault', { headers: basic('mallory:') })).status).toBe(401);
  });
});

describe('an answer built anew keeps what the client sent wherever it fits', () => {
  // The echoed kind can pick the branch the spec-built rest of the record lacks: no value can be
  // replaced to fit, so the mock answers a built card. Before, that card had the builder's label
  // and metadata (OpenAI's createResponse answered `metadata: null` to `{}`, seen in a self-test).
  const mock = specMockFor([UNION_SPEC]);

  it('label and metadata are echoed on every create, and the answer is a valid card that GET returns', async () => {
    for (let index = 0; index < 24; index++) {
      const sent = { kind: index % 2 ? 'credit' : 'debit', label: `card ${index}`, metadata: { team: `t${index}` } };
      const created = await send(mock.url, 'POST', '/cards', { json: sent });
      expect(created.status).toBe(201);
      expect(created.body.label).toBe(sent.label);
      expect(created.body.metadata).toEqual(sent.metadata);
      const branch = created.body.kind === 'credit' ? 'limit' : 'account';
      expect(created.body).toHaveProperty(branch);
      expect(created.body).not.toHaveProperty(branch === 'limit' ? 'account' : 'limit');
      const read = await send(mock.url, 'GET', `/cards/${encodeURIComponent(created.body.id)}`);
      expect(read.status).toBe(200);
      expect(read.body).toEqual(created.body);
    }
  });
});

describe('parley test against parley mock of specs whose requests are wider than their answers', () => {
  // The diff fixtures change one thing each between old and new: several make a request admit what the answer refuses.
  const files = [
    SPEC,
    UNION_SPEC,
    ...[
      'operation-added',
      'request-bound-widened',
      'request-enum-value-added',
      'request-type-changed',
      'response-type-changed',
    ].map((name) => `${ROOT}test/fixtures/diff/${name}/new.yaml`),
  ];
  for (const file of files) {
    const name = file.replace(ROOT, '');
    for (const seed of [1, 2, 3]) {
      it(`${name}, seed ${seed}`, async () => {
        const { report, failures } = await selfTest(file, seed);
        expect(failures).toEqual([]);
        expect(report.interrupted).toBe(false);
        expect(report.untested).toEqual([]);
        expect(report.tallies.find((t) => t.check === 'crud.echo')?.passed).toBeGreaterThan(0);
      });
    }
  }
});
