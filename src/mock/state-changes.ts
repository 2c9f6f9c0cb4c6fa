/**
 * What changed in the store since the state file was last written: the journal's next batch.
 * Only names are kept; the values are read from the store when the batch is written, so a record
 * changed a thousand times between two saves is written once, as it is then.
 */
import {
  clockLine,
  commitLine,
  deletedLine,
  fixturesLine,
  indexLine,
  recordLineIn,
  recordLinePrefix,
  resetLine,
  unindexedLine,
} from './state-file.js';
import { ShardedMap, ShardedSet } from './sharded-map.js';
import type { SlicedWriter } from './state-io.js';
import type { Store, StoreObserver } from './store.js';

export class ChangeSet implements StoreObserver {
  private resetAll = false;
  /**
   * Sharded: a fill may change a million records of one collection, or of a million tenants, between
   * two saves. tenant → collection → ids.
   */
  private resetTenants = new ShardedSet();
  private records = new ShardedMap<Map<string, ShardedSet>>();
  private indexes = new ShardedMap<ShardedSet>();
  private count = 0;

  /** Names held: records, index entries and resets. */
  get size(): number {
    return this.count;
  }

  recordChanged(tenant: string, collection: string, id: string): void {
    let collections = this.records.get(tenant);
    if (!collections) this.records.add(tenant, (collections = new Map()));
    let ids = collections.get(collection);
    if (!ids) collections.set(collection, (ids = new ShardedSet()));
    if (ids.add(id)) this.count++;
  }

  indexChanged(tenant: string, key: string): void {
    let keys = this.indexes.get(tenant);
    if (!keys) this.indexes.add(tenant, (keys = new ShardedSet()));
    if (keys.add(key)) this.count++;
  }

  /** A reset is written before every value, so what changed before it no longer needs a line of its own. */
  wasReset(tenant?: string): void {
    if (tenant === undefined) {
      this.resetAll = true;
      this.resetTenants = new ShardedSet();
      this.records = new ShardedMap();
      this.indexes = new ShardedMap();
      this.count = 1;
      return;
    }
    this.resetTenants.add(tenant);
    for (const ids of this.records.get(tenant)?.values() ?? []) this.count -= ids.size;
    this.records.delete(tenant);
    this.count -= this.indexes.get(tenant)?.size ?? 0;
    this.indexes.delete(tenant);
    this.count++;
  }

  /** Adds another set's names after its own (a batch that was not written, put back before later changes). */
  absorb(other: ChangeSet): void {
    if (other.resetAll) this.resetAll = true;
    for (const tenant of other.resetTenants) this.resetTenants.add(tenant);
    for (const [tenant, collections] of other.records.entries()) {
      for (const [collection, ids] of collections) for (const id of ids) this.recordChanged(tenant, collection, id);
    }
    for (const [tenant, keys] of other.indexes.entries()) for (const key of keys) this.indexChanged(tenant, key);
    this.count += other.resetTenants.size + (other.resetAll ? 1 : 0);
  }

  /**
   * Writes the batch: resets first, then the current value of every name (a record line, or a
   * deletion when it is gone), the clock and fixtures when given, and the commit line that makes
   * the batch count. Yields between slices; a change made meanwhile is the next batch's.
   * Resolves with the number of record and deletion lines written.
   */
  async write(
    writer: SlicedWriter,
    store: Store,
    extra: { clockOffsetMs?: number; fixturesJson?: string } = {},
  ): Promise<number> {
    let lines = 0;
    let recordLines = 0;
    const add = (text: string) => {
      lines++;
      return writer.line(text);
    };
    if (this.resetAll) await add(resetLine(undefined));
    for (const tenant of this.resetTenants) await add(resetLine(tenant));
    for (const [tenant, collections] of this.records.entries()) {
      for (const [collection, ids] of collections) {
        const prefix = recordLinePrefix(tenant, collection);
        for (const id of ids) {
          recordLines++;
          const record = store.held(tenant, collection, id);
          const full = add(record ? recordLineIn(prefix, id, record) : deletedLine(tenant, collection, id));
          if (full) await full;
        }
      }
    }
    for (const [tenant, keys] of this.indexes.entries()) {
      for (const key of keys) {
        const id = store.lookup(tenant, key);
        const full = add(id === undefined ? unindexedLine(tenant, key) : indexLine(tenant, key, id));
        if (full) await full;
      }
    }
    if (extra.clockOffsetMs !== undefined) await add(clockLine(extra.clockOffsetMs));
    if (extra.fixturesJson !== undefined) await add(fixturesLine(extra.fixturesJson));
    await writer.seal(commitLine(lines));
    await writer.flush();
    return recordLines;
  }
}
