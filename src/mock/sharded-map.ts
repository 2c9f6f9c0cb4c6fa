/**
 * String-keyed maps and sets whose hash tables all stay small, however many entries they hold.
 *
 * A JS `Map` grows by rehashing every entry at once when it doubles: at half a million entries that
 * is tens of milliseconds with the event loop blocked, every answer waiting behind it. Here the keys
 * are spread over a fixed number of small `Map`s by a hash of the key, so each doubling moves a
 * sliver of the entries. Nothing is added per entry: insertion order, where it matters, comes from a
 * rank the values carry (the store's sequence number), merged across the tables when iterating.
 */

/** Entries held in one table before they are spread over `SHARD_COUNT`: small maps stay one Map. */
const SPLIT_AT = 8_192;
/** Tables once split: at a million entries each holds about 16k, a rehash well under a millisecond. */
const SHARD_COUNT = 64;

export class ShardedMap<V> {
  private tables: Map<string, V>[] = [new Map()];
  private count = 0;
  /** Counts deletions and replacements: an ordered iteration paused meanwhile checks what it holds. */
  private removals = 0;

  get size(): number {
    return this.count;
  }

  /** Entries in the largest table: what one rehash may have to move. */
  get largestTableSize(): number {
    return Math.max(...this.tables.map((table) => table.size));
  }

  get(key: string): V | undefined {
    return this.tableFor(key).get(key);
  }

  has(key: string): boolean {
    return this.tableFor(key).has(key);
  }

  set(key: string, value: V): void {
    const table = this.tableFor(key);
    const before = table.size;
    if (table.set(key, value).size === before) {
      this.removals++;
      return;
    }
    if (++this.count === SPLIT_AT && this.tables.length === 1) this.split();
  }

  delete(key: string): boolean {
    if (!this.tableFor(key).delete(key)) return false;
    this.count--;
    this.removals++;
    return true;
  }

  clear(): void {
    [this.tables, this.count] = [[new Map()], 0];
    this.removals++;
  }

  /** Every entry, table by table: in insertion order only while the map is one table. */
  *entries(): Generator<[string, V]> {
    for (const table of this.tables) yield* table;
  }

  *keys(): Generator<string> {
    for (const table of this.tables) yield* table.keys();
  }

  /**
   * Entries in ascending `rank` of their values, for values whose rank grows with insertion (each table then holds
   * them in rank order, and the tables are merged). A live view like a Map's iterator: an entry
   * deleted or replaced while the iteration is paused is not yielded, one never skipped that stays;
   * one added meanwhile may be missed (the state file journals such changes anyway).
   */
  *entriesByRank(rank: (value: V) => number): Generator<[string, V]> {
    const tables = this.tables;
    const merge = new RankMerge(tables, rank);
    let removals = this.removals;
    for (let head = merge.next(); head; head = merge.next()) {
      if (this.tables !== tables) {
        // Split since the iteration began: the tables merged no longer see deletions, so each entry is checked.
        if (this.get(head[0]) === head[1]) yield head;
        continue;
      }
      yield head;
      // Map iterators pass over deleted entries, but each table's next entry is already taken out.
      if (this.removals !== removals && this.tables === tables) {
        merge.dropHeads((key, value) => tables[this.tableIndex(key)]!.get(key) !== value);
        removals = this.removals;
      }
    }
  }

  /** The entry of lowest `rank` (see `entriesByRank`), passing over the key `skipped`. */
  lowestByRank(rank: (value: V) => number, skipped?: string): [string, V] | undefined {
    let lowest: [string, V] | undefined;
    for (const table of this.tables) {
      for (const entry of table) {
        if (entry[0] === skipped) continue;
        if (lowest === undefined || rank(entry[1]) < rank(lowest[1])) lowest = entry;
        break;
      }
    }
    return lowest;
  }

  private split(): void {
    const whole = this.tables[0]!;
    this.tables = Array.from({ length: SHARD_COUNT }, () => new Map<string, V>());
    // In order, so each table keeps its share in insertion order.
    for (const [key, value] of whole) this.tableFor(key).set(key, value);
  }

  private tableFor(key: string): Map<string, V> {
    return this.tables[this.tableIndex(key)]!;
  }

  private tableIndex(key: string): number {
    return this.tables.length === 1 ? 0 : shardOf(key);
  }
}

/** A set on the same tables: presence only. */
export class ShardedSet {
  private readonly map = new ShardedMap<true>();

  get size(): number {
    return this.map.size;
  }

  has(key: string): boolean {
    return this.map.has(key);
  }

  /** Adds the key; whether it was new. */
  add(key: string): boolean {
    const before = this.map.size;
    this.map.set(key, true);
    return this.map.size !== before;
  }

  delete(key: string): boolean {
    return this.map.delete(key);
  }

  [Symbol.iterator](): Iterator<string> {
    return this.map.keys();
  }
}

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

  /** Moves every table whose next entry is `gone` on to one that is not, and orders the heap again. */
  dropHeads(gone: (key: string, value: V) => boolean): void {
    const live: number[] = [];
    for (let at = 0; at < this.size; at++) {
      const table = this.heap[at]!;
      let head = this.heads[table]!;
      let more = true;
      while (more && gone(head[0], head[1])) {
        more = this.advance(table);
        head = this.heads[table]!;
      }
      if (more) live.push(table);
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
