import { describe, expect, it } from 'vitest';
import { randomIds, seededIds } from '../../src/mock/ids.js';
import { Store } from '../../src/mock/store.js';
import { UUID } from '../helpers/mock.js';

describe('Store cap', () => {
  it('evicts the oldest records first once past maxRecords', () => {
    const store = new Store(3);
    for (const id of ['a', 'b', 'c', 'd', 'e']) store.put('key', 'things', id, { id });
    expect(store.size).toBe(3);
    expect(store.list('key', 'things').map((record) => record.id)).toEqual(['c', 'd', 'e']);
  });

  it('stays at the cap across tenants and collections', () => {
    const store = new Store(1000);
    for (let i = 0; i < 5000; i++) store.put(`tenant-${i % 3}`, `collection-${i % 2}`, String(i), { i });
    expect(store.size).toBe(1000);
    // 4999 is the newest (tenant-1, collection-1); 3999 is the oldest left once 4000 are gone.
    expect(store.get('tenant-1', 'collection-1', '4999')).toEqual({ i: 4999 });
    expect(store.get('tenant-0', 'collection-1', '3999')).toBeUndefined();
    expect(store.get('tenant-1', 'collection-0', '4000')).toEqual({ i: 4000 });
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
