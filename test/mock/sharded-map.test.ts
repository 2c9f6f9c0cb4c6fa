import { describe, expect, it } from 'vitest';
import { ShardedMap, ShardedSet } from '../../src/mock/sharded-map.js';

interface Item {
  seq: number;
}

const seqOf = (item: Item) => item.seq;

/** `count` items keyed `id-<seq>`, inserted in seq order. */
function filled(count: number): ShardedMap<Item> {
  const map = new ShardedMap<Item>();
  for (let seq = 0; seq < count; seq++) map.set(`id-${seq}`, { seq });
  return map;
}

const keysInOrder = (map: ShardedMap<Item>) => Array.from(map.entriesByRank(seqOf), ([key]) => key);
const ids = (from: number, to: number) => Array.from({ length: to - from }, (_, at) => `id-${from + at}`);

describe('ShardedMap', () => {
  it('keeps insertion order and finds every key, before and after spreading over tables', () => {
    for (const count of [5, 20_000]) {
      const map = filled(count);
      expect(map.size).toBe(count);
      expect(keysInOrder(map)).toEqual(ids(0, count));
      expect(map.get(`id-${count - 1}`)?.seq).toBe(count - 1);
      expect(map.has('id-missing')).toBe(false);
      expect(map.lowestByRank(seqOf)?.[0]).toBe('id-0');
      expect(map.lowestByRank(seqOf, 'id-0')?.[0]).toBe('id-1');
    }
  });

  it('keeps every table small as it grows: no single rehash moves the whole map', () => {
    const map = filled(200_000);
    // 64 tables: about 3,125 entries each; a table with most of them would mean the keys are not spread.
    expect(map.largestShardSize).toBeLessThan(6_000);
    expect(map.largestShardSize).toBeGreaterThan(2_000);
  });

  it('counts a replaced key once, and forgets deleted keys in order and lowest', () => {
    const map = filled(10_000);
    map.set('id-3', { seq: 3 });
    expect(map.size).toBe(10_000);
    for (let seq = 0; seq < 10_000; seq += 2) expect(map.delete(`id-${seq}`)).toBe(true);
    expect(map.delete('id-0')).toBe(false);
    expect(map.size).toBe(5_000);
    expect(map.lowestByRank(seqOf)?.[0]).toBe('id-1');
    expect(keysInOrder(map)).toEqual(Array.from({ length: 5_000 }, (_, at) => `id-${2 * at + 1}`));
    map.set('id-0', { seq: 10_000 });
    expect(keysInOrder(map).at(-1)).toBe('id-0');
  });

  it('goes on after deletions and replacements made while an ordered iteration is paused: none deleted yielded, none that stays skipped', () => {
    const map = filled(20_000);
    const seen: string[] = [];
    const iteration = map.entriesByRank(seqOf);
    for (let step = 0; step < 100; step++) seen.push(iteration.next().value![0]);
    for (let seq = 101; seq < 110; seq++) map.delete(`id-${seq}`);
    // Replaced in place: met once, with its new value.
    const replaced = { seq: 100 };
    map.set('id-100', replaced);
    map.set('id-111', { seq: 111 });
    const values = new Map<string, Item>();
    // Deleted and added again: a new entry, met once, at its new place.
    map.delete('id-5000');
    map.set('id-5000', { seq: 20_000 });
    for (let next = iteration.next(); !next.done; next = iteration.next()) {
      seen.push(next.value[0]);
      values.set(...next.value);
    }
    expect(values.get('id-100')).toBe(replaced);
    const expected = [...ids(0, 101), ...ids(110, 5000), ...ids(5001, 20_000)];
    expect(seen.slice(0, expected.length)).toEqual(expected);
    // The re-added key is reached when its table's iteration had not ended yet; never twice, never out of order.
    expect(seen.length - expected.length).toBeLessThanOrEqual(1);
    if (seen.length > expected.length) expect(seen.at(-1)).toBe('id-5000');
  });

  it('yields no entry deleted while paused, even once new keys go to the shards', () => {
    const map = filled(8_000);
    const iteration = map.entriesByRank(seqOf);
    expect(iteration.next().value![0]).toBe('id-0');
    for (let seq = 8_000; seq < 9_000; seq++) map.set(`id-${seq}`, { seq });
    for (let seq = 1; seq < 4_000; seq++) map.delete(`id-${seq}`);
    const rest = Array.from(iteration, ([key]) => key);
    expect(rest.slice(0, 4_000)).toEqual(ids(4_000, 8_000));
    expect(rest.every((key) => map.has(key))).toBe(true);
  });

  it('takes a bulk load in one table, then spreads later keys, order and look-ups kept across both', () => {
    const map = new ShardedMap<Item>();
    for (let seq = 0; seq < 30_000; seq++) map.add(`id-${seq}`, { seq }, true);
    expect(map.largestShardSize).toBe(0);
    for (let seq = 30_000; seq < 40_000; seq++) map.add(`id-${seq}`, { seq });
    expect(map.largestShardSize).toBeGreaterThan(0);
    expect(map.largestShardSize).toBeLessThan(500);
    map.set('id-7', { seq: 7 });
    expect(map.delete('id-8')).toBe(true);
    expect(map.delete('id-30008')).toBe(true);
    expect(map.size).toBe(39_998);
    expect([map.has('id-8'), map.has('id-30008'), map.get('id-39999')?.seq]).toEqual([false, false, 39_999]);
    expect(keysInOrder(map)).toEqual([...ids(0, 8), ...ids(9, 30_008), ...ids(30_009, 40_000)]);
    expect(map.lowestByRank(seqOf, 'id-0')?.[0]).toBe('id-1');
  });
});

describe('ShardedSet', () => {
  it('adds each key once, says whether it was new, and iterates every key', () => {
    const set = new ShardedSet();
    const added = Array.from({ length: 30_000 }, (_, at) => set.add(`k${at % 20_000}`));
    expect(added.indexOf(false)).toBe(20_000);
    expect(added.lastIndexOf(true)).toBe(19_999);
    expect(set.size).toBe(20_000);
    expect(set.has('k19999')).toBe(true);
    expect(set.delete('k19999')).toBe(true);
    expect(set.has('k19999')).toBe(false);
    expect(new Set(set).size).toBe(19_999);
  });

  it('iterates in insertion order past one table, as a Set does, through deletions', () => {
    const set = new ShardedSet();
    const order = Array.from({ length: 20_000 }, (_, at) => `key-${(at * 7919) % 20_000}`);
    for (const key of order) set.add(key);
    for (const key of order.slice(0, 50)) set.delete(key);
    set.add(order[0]);
    expect([...set]).toEqual([...order.slice(50), order[0]]);
  });
});
