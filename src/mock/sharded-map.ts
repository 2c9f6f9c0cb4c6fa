/**
 * String-keyed maps and sets whose hash tables all stay small, however many entries they hold.
 *
 * A JS `Map` grows by rehashing every entry at once when it doubles: at half a million entries that
 * is tens of milliseconds with the event loop blocked, every answer waiting behind it. Here the first
 * entries fill one table, the base; past `SPLIT_AT` new keys are spread over `SHARD_COUNT` small
 * tables by a hash of the key, so each doubling moves a sliver of the entries, and nothing is ever
 * moved between tables. A bulk load (a state file read before answering) puts everything in the
 * base, as fast as one Map: that table is then complete and never grows again (it still shrinks,
 * rehashing what is left, each time deletions leave it a quarter full).
 *
 * Nothing is added per entry: insertion order, where it matters, comes from a rank the values carry
 * (the store's sequence number), each table holding its entries in rank order, merged when iterating.
 */

/** Entries the base takes before new keys go to the shards: small maps stay one Map. */
const SPLIT_AT = 8_192;
/** Shard tables: at a million entries each holds about 16k, a rehash well under a millisecond. */
const SHARD_COUNT = 64;

export class ShardedMap<V extends NonNullable<unknown>> {
  private readonly base = new Map<string, V>();
  /** Empty until the base is full; then a table per shard. */
  private shards: Map<string, V>[] = [];
  private count = 0;
  /** Per table (the base, then each shard), where `lowestByRank` found its first entry. */
  private readonly cursors: (TableCursor<V> | undefined)[] = [];
  /** Counts deletions and replacements: an ordered iteration paused meanwhile checks what it holds. */
  private removals = 0;

  get size(): number {
    return this.count;
  }

  /** Entries in the largest shard (0 before there are any): what a rehash past the base may have to move. */
  get largestShardSize(): number {
    return Math.max(0, ...this.shards.map((table) => table.size));
  }

  get(key: string): V | undefined {
    const value = this.base.get(key);
    return value !== undefined || this.shards.length === 0 ? value : this.shardFor(key).get(key);
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  /** Sets the value under `key`, replacing any it held (in place: the key keeps its rank order). */
  set(key: string, value: V): void {
    const holding = this.base.has(key) ? this.base : this.shards.length > 0 ? this.shardFor(key) : undefined;
    if (holding?.has(key)) {
      holding.set(key, value);
      this.removals++;
    } else this.add(key, value);
  }

  /**
   * Adds a key the map does not hold (the caller has just looked it up: no second look-up). `bulk`:
   * into the base however large it grows, for a load that finishes before anything else runs.
   */
  add(key: string, value: V, bulk = false): void {
    this.count++;
    if (bulk || (this.shards.length === 0 && this.base.size < SPLIT_AT)) {
      this.base.set(key, value);
      return;
    }
    if (this.shards.length === 0) this.shards = Array.from({ length: SHARD_COUNT }, () => new Map<string, V>());
    this.shardFor(key).set(key, value);
  }

  delete(key: string): boolean {
    if (!(this.base.delete(key) || (this.shards.length > 0 && this.shardFor(key).delete(key)))) return false;
    this.count--;
    this.removals++;
    return true;
  }

  /** Every entry, table by table: in insertion order only while the map is one table. */
  *entries(): Generator<[string, V]> {
    for (const table of this.tables()) yield* table;
  }

  *keys(): Generator<string> {
    for (const table of this.tables()) yield* table.keys();
  }

  /**
   * Entries in ascending `rank` of their values, for values whose rank grows with insertion (each
   * table then holds them in rank order, and the tables are merged). A live view like a Map's
   * iterator: an entry deleted while the iteration is paused is not yielded, a replaced one comes with
   * its new value, one that stays is never skipped; one added meanwhile may be missed (the state file
   * journals such changes anyway).
   */
  *entriesByRank(rank: (value: V) => number): Generator<[string, V]> {
    const merge = new RankMerge(this.tables(), rank);
    let removals = this.removals;
    for (let head = merge.next(); head; head = merge.next()) {
      yield head;
      // Map iterators pass over deleted entries, but each table's next entry is already taken out.
      if (this.removals !== removals) {
        merge.refreshHeads((key) => this.get(key));
        removals = this.removals;
      }
    }
  }

  /** The entry of lowest `rank` (see `entriesByRank`), passing over the key `skipped`. */
  lowestByRank(rank: (value: V) => number, skipped?: string): [string, V] | undefined {
    let lowest: [string, V] | undefined;
    const tables = this.tables();
    for (let index = 0; index < tables.length; index++) {
      const entry = this.firstOf(index, tables[index]!, skipped);
      if (entry && (lowest === undefined || rank(entry[1]) < rank(lowest[1]))) lowest = entry;
    }
    return lowest;
  }

  /**
   * A table's first entry (other than `skipped`), read from an iterator kept between calls. Evicting
   * oldest-first deletes at each table's front, and a Map keeps those holes until it rehashes: a fresh
   * iterator would pass over all of them on every eviction (quadratic under a `--max-records` cap).
   */
  private firstOf(index: number, table: Map<string, V>, skipped: string | undefined): [string, V] | undefined {
    let cursor = this.cursors[index];
    // A finished iterator never sees later entries: start again (the table was empty, so no holes to pass).
    if (!cursor || cursor.entry === undefined) cursor = this.cursors[index] = startCursor(table);
    while (cursor.entry !== undefined) {
      const current = table.get(cursor.entry[0]);
      if (current !== undefined) {
        if (current !== cursor.entry[1]) cursor.entry = [cursor.entry[0], current];
        break;
      }
      cursor.entry = nextEntry(cursor.iterator);
    }
    if (cursor.entry === undefined || cursor.entry[0] !== skipped) return cursor.entry;
    // The one key passed over is the table's first: the next one, without moving the kept cursor.
    for (const entry of table) if (entry[0] !== skipped) return entry;
    return undefined;
  }

  private tables(): Map<string, V>[] {
    return [this.base, ...this.shards];
  }

  private shardFor(key: string): Map<string, V> {
    return this.shards[shardOf(key)]!;
  }
}

interface TableCursor<V> {
  readonly iterator: Iterator<[string, V]>;
  entry: [string, V] | undefined;
}

function startCursor<V>(table: Map<string, V>): TableCursor<V> {
  const iterator = table.entries();
  return { iterator, entry: nextEntry(iterator) };
}

function nextEntry<V>(iterator: Iterator<[string, V]>): [string, V] | undefined {
  const step = iterator.next();
  return step.done ? undefined : step.value;
}

/**
 * A set on the same tables, iterated in insertion order like a `Set` (the state file's journal
 * writes a batch's names in the order they changed, so a load ranks records as the mock did). Each
 * key holds the count of keys added before it: a small integer, nothing allocated per key.
 */
export class ShardedSet {
  private readonly map = new ShardedMap<number>();
  private added = 0;

  get size(): number {
    return this.map.size;
  }

  has(key: string): boolean {
    return this.map.has(key);
  }

  /** Adds the key; whether it was new. */
  add(key: string): boolean {
    if (this.map.has(key)) return false;
    this.map.add(key, this.added++);
    return true;
  }

  delete(key: string): boolean {
    return this.map.delete(key);
  }

  *[Symbol.iterator](): Iterator<string> {
    for (const [key] of this.map.entriesByRank(insertionRank)) yield key;
  }
}

const insertionRank = (added: number) => added;

/**
 * Merges tables each in ascending rank: the next entry of each in a binary heap by rank, so a step
 * costs a few comparisons (log2 of the table count), not one per table. Tables by index, ranks in a
 * typed array: a million steps allocate nothing but what the Map iterators do.
 */
class RankMerge<V> {
  private readonly iterators: Iterator<[string, V]>[];
  private readonly heads: ([string, V] | undefined)[];
  private readonly ranks: Float64Array;
  /** Table indices, ordered as a heap by their head's rank. */
  private readonly heap: Int32Array;
  private size = 0;
  /** The table the entry last returned came from. */
  lastTable = -1;

  constructor(
    tables: Map<string, V>[],
    private readonly rank: (value: V) => number,
  ) {
    this.iterators = tables.map((table) => table.entries());
    this.heads = new Array<[string, V] | undefined>(tables.length);
    this.ranks = new Float64Array(tables.length);
    this.heap = new Int32Array(tables.length);
    for (let table = 0; table < tables.length; table++) if (this.advance(table)) this.insert(table);
  }

  /** The entry of lowest rank among the tables' next ones, taken; undefined once all are done. */
  next(): [string, V] | undefined {
    if (this.size === 0) return undefined;
    const table = this.heap[0]!;
    const taken = this.heads[table]!;
    this.lastTable = table;
    if (!this.advance(table)) this.heap[0] = this.heap[--this.size]!;
    this.siftDown();
    return taken;
  }

  /**
   * Brings each table's next entry up to date with `current` (a key's value now): a deleted one is
   * passed over, a replaced one takes its new value. Then orders the heap again.
   */
  refreshHeads(current: (key: string) => V | undefined): void {
    const live: number[] = [];
    for (let at = 0; at < this.size; at++) {
      const table = this.heap[at]!;
      let more = true;
      let value = current(this.heads[table]![0]);
      while (more && value === undefined) {
        more = this.advance(table);
        if (more) value = current(this.heads[table]![0]);
      }
      if (!more) continue;
      const head = this.heads[table]!;
      if (value !== head[1]) [this.heads[table], this.ranks[table]] = [[head[0], value!], this.rank(value!)];
      live.push(table);
    }
    this.size = 0;
    for (const table of live) this.insert(table);
  }

  /** Moves a table's head on to its next entry; false when it has none. */
  private advance(table: number): boolean {
    const next = this.iterators[table]!.next();
    if (next.done) {
      this.heads[table] = undefined;
      return false;
    }
    this.heads[table] = next.value;
    this.ranks[table] = this.rank(next.value[1]);
    return true;
  }

  /** Adds a table (its head taken) to the heap, sifted up into place. */
  private insert(table: number): void {
    let at = this.size++;
    while (at > 0 && this.ranks[this.heap[(at - 1) >> 1]!]! > this.ranks[table]!) {
      this.heap[at] = this.heap[(at - 1) >> 1]!;
      at = (at - 1) >> 1;
    }
    this.heap[at] = table;
  }

  private siftDown(): void {
    const { heap, ranks, size } = this;
    const moving = heap[0]!;
    const movingRank = ranks[moving]!;
    let at = 0;
    for (;;) {
      let child = 2 * at + 1;
      if (child >= size) break;
      if (child + 1 < size && ranks[heap[child + 1]!]! < ranks[heap[child]!]!) child++;
      if (ranks[heap[child]!]! >= movingRank) break;
      heap[at] = heap[child]!;
      at = child;
    }
    heap[at] = moving;
  }
}

/** UTF-16 units of a key's end that choose its table. */
const HASHED_TAIL = 8;

/**
 * FNV-1a over the key's last few UTF-16 units (where generated ids and counters differ) and its
 * length, folded to a table index. Hashing whole keys cost a third of a load's time; keys alike at
 * the end only share a table, which is then no worse than one Map.
 */
function shardOf(key: string): number {
  let hash = Math.imul(0x811c9dc5 ^ key.length, 0x01000193);
  for (let at = Math.max(0, key.length - HASHED_TAIL); at < key.length; at++)
    hash = Math.imul(hash ^ key.charCodeAt(at), 0x01000193);
  return (hash ^ (hash >>> 16)) & (SHARD_COUNT - 1);
}
