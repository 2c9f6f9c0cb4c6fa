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
    if (table.set(key, value).size === before) return;
    if (++this.count === SPLIT_AT && this.tables.length === 1) this.split();
  }

  delete(key: string): boolean {
    if (!this.tableFor(key).delete(key)) return false;
    this.count--;
    return true;
  }

  clear(): void {
    [this.tables, this.count] = [[new Map()], 0];
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
    const heads = new RankedHeads(this.tables, rank);
    for (let head = heads.pop(); head; head = heads.pop()) {
      // Checked against the tables as they are now: they may have been split since the iteration began.
      if (this.get(head[0]) === head[1]) yield head;
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
    const { tables } = this;
    return tables.length === 1 ? tables[0]! : tables[shardOf(key)]!;
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
 * The next entry of each table, in a binary heap by rank: merging the tables costs a few comparisons
 * per value (log2 of the table count), not one per table.
 */
class RankedHeads<V> {
  private readonly heap: { entries: Iterator<[string, V]>; head: [string, V]; rank: number }[] = [];

  constructor(
    tables: Map<string, V>[],
    private readonly rank: (value: V) => number,
  ) {
    for (const table of tables) {
      const entries = table.entries();
      const next = entries.next();
      if (!next.done) this.insert({ entries, head: next.value, rank: rank(next.value[1]) });
    }
  }

  /** Takes the entry of lowest rank out, moving its table on to its next entry. */
  pop(): [string, V] | undefined {
    const { heap } = this;
    const top = heap[0];
    if (!top) return undefined;
    const taken = top.head;
    const next = top.entries.next();
    if (next.done) {
      const last = heap.pop()!;
      if (heap.length === 0) return taken;
      heap[0] = last;
    } else [top.head, top.rank] = [next.value, this.rank(next.value[1])];
    this.siftDown(0);
    return taken;
  }

  private insert(item: (typeof this.heap)[number]): void {
    const { heap } = this;
    let at = heap.push(item) - 1;
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if (heap[parent]!.rank <= item.rank) break;
      [heap[at], heap[parent]] = [heap[parent]!, item];
      at = parent;
    }
  }

  private siftDown(at: number): void {
    const { heap } = this;
    for (;;) {
      const [left, right] = [2 * at + 1, 2 * at + 2];
      let lowest = at;
      if (left < heap.length && heap[left]!.rank < heap[lowest]!.rank) lowest = left;
      if (right < heap.length && heap[right]!.rank < heap[lowest]!.rank) lowest = right;
      if (lowest === at) return;
      [heap[at], heap[lowest]] = [heap[lowest]!, heap[at]!];
      at = lowest;
    }
  }
}

/** FNV-1a over the key's UTF-16 units, folded to a table index. */
function shardOf(key: string): number {
  let hash = 0x811c9dc5;
  for (let at = 0; at < key.length; at++) hash = Math.imul(hash ^ key.charCodeAt(at), 0x01000193);
  return (hash ^ (hash >>> 16)) & (SHARD_COUNT - 1);
}
