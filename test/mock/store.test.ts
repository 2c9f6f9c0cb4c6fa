import { describe, expect, it } from 'vitest';
import { randomIds, seededIds } from '../../src/mock/ids.js';
import { RecordTooLargeError, Store } from '../../src/mock/store.js';
import { estimateJsonLength } from '../../src/openapi/json-value.js';
import { UUID } from '../helpers/mock.js';

describe('Store cap', () => {
  it('keeps insertion and eviction order in a collection of tens of thousands (spread over many tables)', () => {
    const store = new Store(20_000);
    for (let at = 0; at < 25_000; at++) store.put('key', 'things', `t${at}`, { at });
    for (let at = 10_000; at < 11_000; at++) store.delete('key', 'things', `t${at}`);
    // Below the cap after the deletions: the next writes evict nothing, then the oldest go first again.
    for (let at = 25_000; at < 27_000; at++) store.put('key', 'things', `t${at}`, { at });
    const kept = store.list('key', 'things').map((record) => record.at);
    const expected = [];
    for (let at = 6_000; at < 27_000; at++) if (at < 10_000 || at >= 11_000) expected.push(at);
    expect(store.size).toBe(20_000);
    expect(kept).toEqual(expected);
    expect(store.get('key', 'things', 't5999')).toBeUndefined();
    expect(store.get('key', 'things', 't26999')).toEqual({ at: 26_999 });
  });

  it('keeps order and evicts oldest first across a bulk load and the records added after it', async () => {
    const store = new Store(30_000);
    await store.loadInBulk(async () => {
      for (let at = 0; at < 20_000; at++) store.put('key', 'things', `t${at}`, JSON.stringify({ at }));
    });
    for (let at = 20_000; at < 35_000; at++) store.put('key', 'things', `t${at}`, { at });
    // A loaded record changed and one deleted then added again: the first keeps its place, the second goes last.
    store.put('key', 'things', 't6000', { at: 6_000, changed: true });
    store.delete('key', 'things', 't7000');
    store.put('key', 'things', 't7000', { at: 7_000 });
    const kept = store.list('key', 'things').map((record) => record.at);
    const expected = [];
    for (let at = 5_000; at < 35_000; at++) if (at !== 7_000) expected.push(at);
    expect(store.size).toBe(30_000);
    expect(kept).toEqual([...expected, 7_000]);
    expect(store.get('key', 'things', 't6000')).toEqual({ at: 6_000, changed: true });
    expect([...store.records()].map(([, , id]) => id).slice(0, 2)).toEqual(['t5000', 't5001']);
  });

  it('lists and saves tenants in the order they came, thousands of them', () => {
    const store = new Store();
    for (let at = 0; at < 10_000; at++) store.put(`key-${at}`, 'things', 'only', { at });
    store.delete('key-3', 'things', 'only');
    store.put('key-3', 'things', 'only', { at: 3 });
    const tenants = [...store.records()].map(([tenant]) => tenant);
    const expected = Array.from({ length: 10_000 }, (_, at) => `key-${at}`).filter((key) => key !== 'key-3');
    expect(tenants).toEqual([...expected, 'key-3']);
    expect(Object.keys(store.snapshot().tenants)).toEqual(tenants);
  });

  it('evicts in constant time per record under a cap: the holes eviction leaves are not walked again', () => {
    // Each eviction used to walk the deleted entries at every table's front: minutes for this loop.
    const store = new Store(50_000);
    const started = performance.now();
    for (let at = 0; at < 250_000; at++) store.put('key', 'things', `t${at}`, { at });
    expect(performance.now() - started).toBeLessThan(20_000);
    expect(store.size).toBe(50_000);
    expect(store.get('key', 'things', 't199999')).toBeUndefined();
    expect(store.get('key', 'things', 't200000')).toEqual({ at: 200_000 });
  }, 30_000);

  it('evicts the oldest records first once past maxRecords', () => {
    const store = new Store(3);
    for (const id of ['a', 'b', 'c', 'd', 'e']) store.put('key', 'things', id, { id });
    expect(store.size).toBe(3);
    expect(store.list('key', 'things').map((record) => record.id)).toEqual(['c', 'd', 'e']);
  });

  it('stays at the cap across tenants and collections, the writing tenant evicting its own oldest first', () => {
    const store = new Store(1000);
    for (let i = 0; i < 5000; i++) store.put(`tenant-${i % 3}`, `collection-${i % 2}`, String(i), { i });
    expect(store.size).toBe(1000);
    expect(store.get('tenant-1', 'collection-1', '4999')).toEqual({ i: 4999 });
    // Each tenant wrote a third of the traffic and kept about a third of the records, its newest.
    for (const tenant of ['tenant-0', 'tenant-1', 'tenant-2']) {
      const kept = store.list(tenant, 'collection-0').length + store.list(tenant, 'collection-1').length;
      expect(kept).toBeGreaterThan(300);
      expect(kept).toBeLessThan(370);
    }
    expect(store.get('tenant-0', 'collection-0', '0')).toBeUndefined();
    expect(store.get('tenant-1', 'collection-0', '4990')).toEqual({ i: 4990 });
  });

  it("a key that floods the store evicts its own records, not another key's", () => {
    const store = new Store(100);
    store.put('bystander', 'things', 'kept', { note: "old but not the flooder's" });
    for (let i = 0; i < 1000; i++) store.put('flooder', 'things', String(i), { i });
    expect(store.size).toBe(100);
    expect(store.get('bystander', 'things', 'kept')).toBeDefined();
    expect(store.list('flooder', 'things')).toHaveLength(99);
  });

  it('skips deleted records when evicting', () => {
    const store = new Store(2);
    store.put('key', 'things', 'a', {});
    store.put('key', 'things', 'b', {});
    store.delete('key', 'things', 'a');
    store.put('key', 'things', 'c', {});
    expect(store.list('key', 'things')).toHaveLength(2);
    store.put('key', 'things', 'd', {});
    expect(Object.keys(store.snapshot().tenants.key.things)).toEqual(['c', 'd']);
  });

  it('keeps its count right after a tenant reset, then evicts only live records', () => {
    const store = new Store(3);
    store.put('alpha', 'things', 'a1', {});
    store.put('beta', 'things', 'b1', {});
    store.reset('alpha');
    expect(store.size).toBe(1);
    for (const id of ['b2', 'b3', 'b4']) store.put('beta', 'things', id, {});
    expect(store.size).toBe(3);
    expect(store.get('beta', 'things', 'b1')).toBeUndefined();
  });

  it('does not grow under create-then-delete traffic below the cap', () => {
    const store = new Store(1_000_000);
    for (let i = 0; i < 300_000; i++) {
      store.put('key', 'things', String(i), {});
      store.delete('key', 'things', String(i));
    }
    expect(store.size).toBe(0);
    const queueLength = (store as unknown as { queueIds: unknown[] }).queueIds.length;
    expect(queueLength).toBeLessThan(200_000);
  });
});

describe('Store byte budget', () => {
  const record = (kilobytes: number) => ({ text: 'x'.repeat(kilobytes * 1024) });

  it('evicts by bytes once past maxBytes, and counts what it holds', () => {
    const store = new Store({ maxBytes: 100 * 1024 });
    for (let i = 0; i < 50; i++) store.put(`key-${i}`, 'things', String(i), record(10));
    expect(store.bytes).toBeLessThanOrEqual(100 * 1024);
    expect(store.size).toBeGreaterThanOrEqual(8);
    expect(store.size).toBeLessThanOrEqual(10);
    // The newest stay; keys whose records all went are gone from the tenant map too.
    expect(store.get('key-49', 'things', '49')).toBeDefined();
    expect(store.usage().tenants).toBe(store.size);
    store.reset();
    expect(store.usage()).toMatchObject({ records: 0, bytes: 0, tenants: 0, indexEntries: 0 });
  });

  it('many keys flooding it evict each other, not a key that holds little', () => {
    const store = new Store({ maxRecords: 1000, maxBytes: 1024 * 1024 });
    store.put('bystander', 'things', 'small', { note: 'mine' });
    for (let i = 0; i < 20_000; i++) store.put(`flood-${i}`, 'things', 'x', record(15));
    expect(store.get('bystander', 'things', 'small')).toEqual({ note: 'mine' });
    const usage = store.usage();
    expect(usage.bytes).toBeLessThanOrEqual(1024 * 1024);
    expect(usage.tenants).toBe(usage.records);
  });

  it('refuses a record over the per-record limit, storing nothing', () => {
    const store = new Store({ maxBytes: 1024 * 1024, maxRecordBytes: 4 * 1024 });
    store.put('key', 'things', 'a', record(1));
    expect(() => store.put('key', 'things', 'a', record(8))).toThrow(RecordTooLargeError);
    expect(store.get('key', 'things', 'a')).toEqual(record(1));
    expect(() => store.put('key', 'things', 'b', record(8))).toThrow(/over the limit of 4096 bytes/);
    expect(store.size).toBe(1);
  });

  it('tracks records that grow in place, evicting other records to make room', () => {
    const store = new Store({ maxBytes: 50 * 1024 });
    store.put('key', 'things', 'old', record(20));
    store.put('key', 'things', 'growing', record(1));
    store.resize('key', 'things', 'growing', 40 * 1024);
    expect(store.get('key', 'things', 'old')).toBeUndefined();
    expect(store.get('key', 'things', 'growing')).toBeDefined();
    expect(store.bytes).toBeLessThanOrEqual(50 * 1024);
  });

  it('drops get-or-create keys with their records: no index entry outlives its record', () => {
    const store = new Store(100);
    for (let i = 0; i < 3000; i++) {
      store.forTenant('key').getOrCreate('conversations', `external-${i}`, () => ({ id: `c${i}`, record: { i } }));
    }
    const usage = store.usage();
    expect(usage.records).toBe(100);
    expect(usage.indexEntries).toBe(100);
    const snapshot = store.snapshot();
    for (const id of Object.values(snapshot.indexes.key)) expect(snapshot.tenants.key.conversations[id]).toBeDefined();
    // An index entry naming no stored record is not kept.
    store.remember('key', 'dangling', 'no-such-id');
    expect(store.lookup('key', 'dangling')).toBeUndefined();
  });

  it('forgets an emptied tenant and its collections', () => {
    const store = new Store(10);
    store.put('gone', 'things', 'a', {});
    store.delete('gone', 'things', 'a');
    expect(store.usage().tenants).toBe(0);
    expect(Object.keys(store.snapshot().tenants)).toEqual([]);
  });
});

describe('Store records held as JSON text', () => {
  it('parses a record on first read, once, and hands out the same object from then on', () => {
    const store = new Store();
    const json = JSON.stringify({ id: 'a', title: 'loaded', messages: [] });
    store.put('k', 'sessions', 'a', json);
    expect(store.held('k', 'sessions', 'a')).toBe(json);
    const record = store.get('k', 'sessions', 'a')!;
    expect(record).toEqual({ id: 'a', title: 'loaded', messages: [] });
    expect(store.get('k', 'sessions', 'a')).toBe(record);
    expect(store.held('k', 'sessions', 'a')).toBe(record);
    expect(store.list('k', 'sessions')).toEqual([record]);
  });

  it('counts a record held as text by its JSON length, as it counts the same record as an object', () => {
    const record = { id: 'b', title: 'x'.repeat(500) };
    const [asText, asObject] = [new Store(), new Store()];
    asText.put('k', 'c', 'b', JSON.stringify(record));
    asObject.put('k', 'c', 'b', record, JSON.stringify(record).length);
    expect(asText.bytes).toBe(asObject.bytes);
    expect(asText.snapshot().tenants.k!.c!.b).toEqual(record);
  });
});

describe('Store records loaded in bulk (a state file read at start)', () => {
  /** A store holding `count` records loaded as text, as the state file's loader puts them. */
  async function loaded(count: number, limits: ConstructorParameters<typeof Store>[0] = {}): Promise<Store> {
    const store = new Store(limits);
    await store.loadInBulk(async () => {
      for (let at = 0; at < count; at++) store.put('k', 'sessions', `s${at}`, JSON.stringify({ id: `s${at}`, at }));
    });
    return store;
  }

  it('hands out a loaded record as an object once read, and saves the change made to it in place', async () => {
    const store = await loaded(3);
    expect(store.held('k', 'sessions', 's1')).toBe('{"id":"s1","at":1}');
    const record = store.get('k', 'sessions', 's1')!;
    record.title = 'changed';
    expect(store.get('k', 'sessions', 's1')).toBe(record);
    expect(store.held('k', 'sessions', 's1')).toBe(record);
    expect([...store.records()].map(([, , id, held]) => [id, held])).toEqual([
      ['s0', '{"id":"s0","at":0}'],
      ['s1', { id: 's1', at: 1, title: 'changed' }],
      ['s2', '{"id":"s2","at":2}'],
    ]);
  });

  it('lists and snapshots loaded records without turning them into objects held by the store', async () => {
    const store = await loaded(3);
    expect(store.list('k', 'sessions')).toEqual([0, 1, 2].map((at) => ({ id: `s${at}`, at })));
    expect(store.snapshot().tenants.k!.sessions!.s2).toEqual({ id: 's2', at: 2 });
    expect(typeof store.held('k', 'sessions', 's0')).toBe('string');
  });

  it('counts loaded records as the same records stored one by one, through resizes, keys and deletions', async () => {
    const store = await loaded(2);
    const stored = new Store();
    for (const at of [0, 1]) stored.put('k', 'sessions', `s${at}`, JSON.stringify({ id: `s${at}`, at }));
    expect(store.bytes).toBe(stored.bytes);
    for (const each of [store, stored]) {
      each.resize('k', 'sessions', 's0', 40);
      each.remember('k', 'unique-key', 's1');
    }
    expect(store.bytes).toBe(stored.bytes);
    expect(store.lookup('k', 'unique-key')).toBe('s1');
    for (const each of [store, stored]) each.delete('k', 'sessions', 's1');
    expect(store.bytes).toBe(stored.bytes);
    expect(store.lookup('k', 'unique-key')).toBeUndefined();
    store.delete('k', 'sessions', 's0');
    expect([store.size, store.bytes, store.usage().tenants]).toEqual([0, 0, 0]);
  });

  it('evicts nothing while a batch loads until twice the limits, then keeps the newest within them', async () => {
    const store = new Store({ maxRecords: 10 });
    let most = 0;
    await store.loadInBulk(async () => {
      // A batch naming a creation before the deletion of the record it evicted: nothing goes meanwhile.
      for (let at = 0; at < 10; at++) store.put('k', 'sessions', `s${at}`, JSON.stringify({ at }));
      store.put('k', 'sessions', 'late', JSON.stringify({ at: 'late' }));
      store.delete('k', 'sessions', 's3');
      store.enforceLimits();
      expect(store.size).toBe(10);
      expect(store.get('k', 'sessions', 's0')).toEqual({ at: 0 });
      // A file asking for far more than the limits is never all held at once.
      for (let at = 10; at < 100; at++) {
        store.put('k', 'sessions', `s${at}`, JSON.stringify({ at }));
        most = Math.max(most, store.size);
      }
    });
    expect(most).toBe(20);
    expect(store.list('k', 'sessions').map((record) => record.at)).toEqual(
      Array.from({ length: 10 }, (_, i) => 90 + i),
    );
  });

  it('evicts loaded records first, oldest first, then what was stored after the load', async () => {
    const store = await loaded(3, { maxRecords: 3 });
    store.get('k', 'sessions', 's0');
    store.put('k', 'sessions', 'new-1', { at: 'new-1' });
    store.put('other', 'things', 'new-2', { at: 'new-2' });
    expect(store.list('k', 'sessions').map((record) => record.at)).toEqual([2, 'new-1']);
    store.put('k', 'sessions', 'new-3', { at: 'new-3' });
    store.put('k', 'sessions', 'new-4', { at: 'new-4' });
    expect(store.list('k', 'sessions').map((record) => record.at)).toEqual(['new-3', 'new-4']);
    expect(store.get('other', 'things', 'new-2')).toEqual({ at: 'new-2' });
  });
});

describe('estimateJsonLength', () => {
  it('comes within a few percent of the JSON length, without recursion at any depth', () => {
    const session = {
      id: 'a1',
      title: null,
      ok: true,
      n: 12.5,
      messages: Array.from({ length: 200 }, (_, i) => ({ id: `m${i}`, role: 'user', content: 'hello '.repeat(30) })),
    };
    const actual = JSON.stringify(session).length;
    expect(Math.abs(estimateJsonLength(session) - actual) / actual).toBeLessThan(0.03);
    let deep: unknown = 'leaf';
    for (let depth = 0; depth < 100_000; depth++) deep = [deep];
    expect(estimateJsonLength(deep)).toBe(6 + 3 * 100_000);
  });
});

describe('ids', () => {
  it('makes version-4 UUIDs, random or seeded', () => {
    const random = randomIds();
    const ids = Array.from({ length: 3000 }, () => random.uuid());
    for (const id of ids) expect(id).toMatch(UUID);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every((id) => id[14] === '4' && '89ab'.includes(id[19]))).toBe(true);
    expect(seededIds(7).uuid()).toBe(seededIds(7).uuid());
  });
});
