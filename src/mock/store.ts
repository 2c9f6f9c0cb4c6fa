/**
 * In-memory state, partitioned by tenant (the caller's API key) so one key never sees another's data.
 * Records are capped in count and in bytes: past a limit the oldest are evicted first (the writing
 * tenant's own before anyone else's), and everything keyed to a record (get-or-create keys, an
 * emptied collection or tenant) goes with it, so the mock never grows without bound.
 */

import { estimateJsonLength } from '../openapi/json-value.js';
import { ChunkedQueue } from './chunked-queue.js';
import { ShardedMap } from './sharded-map.js';

export type StoredRecord = Record<string, unknown>;

/**
 * A record as the store may hold it: the object, or its JSON text (`JSON.stringify` output) when it
 * was loaded from the state file and has not been read since. A million records load as a million
 * strings rather than several million objects; each is parsed on first read.
 */
export type HeldRecord = StoredRecord | string;

/**
 * Every level of a snapshot is keyed by names from outside (API keys, collection names, record ids),
 * so each is a null-prototype object: a tenant called `__proto__` or `constructor` is data like any other.
 * Build snapshots with `emptySnapshot`, `addSnapshotRecord` and `addSnapshotIndex`, never with `{}`.
 */
export interface StoreSnapshot {
  version: 1;
  /** tenant → collection → id → record, in insertion order. */
  tenants: Record<string, Record<string, Record<string, StoredRecord>>>;
  /** tenant → unique key → id, for get-or-create lookups. */
  indexes: Record<string, Record<string, string>>;
}

/** An object for keys from outside: no prototype, so no key can reach or shadow Object.prototype. */
export function dictionary<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

export function emptySnapshot(): StoreSnapshot {
  return { version: 1, tenants: dictionary(), indexes: dictionary() };
}

export function addSnapshotRecord(
  snapshot: StoreSnapshot,
  tenant: string,
  collection: string,
  id: string,
  record: StoredRecord,
): void {
  const collections = (snapshot.tenants[tenant] ??= dictionary());
  (collections[collection] ??= dictionary())[id] = record;
}

export function addSnapshotIndex(snapshot: StoreSnapshot, tenant: string, key: string, id: string): void {
  (snapshot.indexes[tenant] ??= dictionary())[key] = id;
}

const SEP = '\u0000';
/** Queue entries tolerated beyond the live records before the queue is compacted. */
const QUEUE_SLACK = 65_536;
/** Records of small tenants passed over per eviction, at most: eviction stays O(1). */
const MAX_PASSED_OVER = 16;
/** What a record costs besides its JSON: map entries, its queue slot, its id string. */
const RECORD_OVERHEAD_BYTES = 128;

/** A record past the per-record limit: refused before anything is stored. */
export class RecordTooLargeError extends Error {
  constructor(
    readonly bytes: number,
    readonly limit: number,
  ) {
    super(`The record would take ${bytes} bytes, over the limit of ${limit} bytes per record`);
  }
}

export interface StoreLimits {
  /** Records kept before the oldest are evicted. */
  maxRecords?: number;
  /** Bytes of records kept (their JSON length plus a fixed overhead each) before the oldest are evicted. */
  maxBytes?: number;
  /** Bytes one record may take; a larger one is refused with RecordTooLargeError. */
  maxRecordBytes?: number;
}

export interface StoreUsage {
  records: number;
  bytes: number;
  tenants: number;
  indexEntries: number;
  maxRecords: number;
  maxBytes: number;
  maxRecordBytes: number;
}

/**
 * Told of every change as it happens, so the state file can write only what changed since its last
 * save. Each call names what may now differ; the observer reads the current value when it writes.
 */
export interface StoreObserver {
  /** A record was stored, replaced, changed in place, deleted or evicted. */
  recordChanged(tenant: string, collection: string, id: string): void;
  /** A get-or-create index entry was set or dropped. */
  indexChanged(tenant: string, key: string): void;
  /** One tenant's state, or everything (no tenant), was forgotten. */
  wasReset(tenant?: string): void;
}

interface Entry {
  record: HeldRecord;
  /** The estimated size: JSON length, overhead and the unique keys that lead to it. */
  bytes: number;
  /** Insertion order across the store: which of a tenant's records is its oldest. */
  seq: number;
  /** Get-or-create keys (`${tenant}\0${key}`) that point here: they go when the record goes. */
  uniqueKeys?: string[];
}

interface Tenant {
  name: string;
  /** Creation order among tenants: the order they are listed and saved in. */
  seq: number;
  collections: Map<string, Scope>;
  bytes: number;
}

/**
 * A record loaded in bulk from the state file and not read or changed since: its JSON text alone, in
 * place of an entry. Its size follows from the text and it ranks before anything stored after the
 * load; it becomes an `Entry` when first touched. A million records then load without a million
 * entry objects to allocate, promote and mark (a tenth of the load's CPU, and a smaller heap after).
 */
type Loaded = string;

/** The rank of a `Loaded` record: older than every record stored since (whose `seq` starts at 0). */
const LOADED_SEQ = -1;

/**
 * One tenant's collection; entries in insertion order (by `seq`), so the first is the oldest. Sharded:
 * one collection may hold a million records, and one Map that size stalls every answer when it rehashes.
 */
interface Scope {
  tenant: Tenant;
  name: string;
  entries: ShardedMap<Entry | Loaded>;
}

export class Store {
  /** tenant → collection → id → record. Nested rather than keyed by a joined string, which would be built and hashed on every call. */
  private tenants = new ShardedMap<Tenant>();
  /** `${tenant}\0${key}` → id; sharded like a collection, as it may grow as large. */
  private uniqueKeys = new ShardedMap<string>();
  /**
   * Insertion order across all scopes, for oldest-first eviction: the two queues move in step, each
   * id queued with its scope. Two flat queues rather than a pair per record, which would cost more memory
   * than a small record itself. Entries for deleted records are stale and skipped.
   */
  private queueScopes = new ChunkedQueue<Scope>();
  private queueIds = new ChunkedQueue<string>();
  private total = 0;
  private totalBytes = 0;
  private nextSeq = 0;
  private observer: StoreObserver | undefined;
  /** While a state file is read, before any answer: records go in as fast as into one Map (see ShardedMap). */
  private loadingInBulk = false;
  readonly maxRecords: number;
  readonly maxBytes: number;
  readonly maxRecordBytes: number;

  constructor(limits: number | StoreLimits = {}) {
    const given = typeof limits === 'number' ? { maxRecords: limits } : limits;
    this.maxRecords = given.maxRecords ?? 1_000_000;
    this.maxBytes = given.maxBytes ?? Number.POSITIVE_INFINITY;
    // One record can never take more than the whole budget.
    this.maxRecordBytes = Math.min(given.maxRecordBytes ?? Number.POSITIVE_INFINITY, this.maxBytes);
  }

  get size(): number {
    return this.total;
  }

  /** Estimated bytes held by records (see `estimateRecordBytes`). */
  get bytes(): number {
    return this.totalBytes;
  }

  usage(): StoreUsage {
    const { maxRecords, maxBytes, maxRecordBytes } = this;
    return {
      records: this.total,
      bytes: this.totalBytes,
      tenants: this.tenants.size,
      indexEntries: this.uniqueKeys.size,
      maxRecords,
      maxBytes,
      maxRecordBytes,
    };
  }

  /** Reports every later change to `observer` (the state file's journal); one observer at a time. */
  observe(observer: StoreObserver | undefined): void {
    this.observer = observer;
  }

  /**
   * Runs `load` (reading a state file into this store before the mock answers anything) with records
   * added in bulk: each collection keeps what it loads in one table, as fast as a Map, and never adds
   * to that table again, so later additions cannot make it rehash.
   * Limits are held loosely meanwhile: a journal batch names what changed in an interval, not in the
   * order it happened, so a record created at the record cap may come before the deletion of the one
   * its creation evicted, and evicting on the way would take a record the mock still held. Records
   * are evicted only past twice the limits (a file asking for more than a mock ever held at once is
   * not all taken into memory); `load` calls `enforceLimits` at each batch's end, and it runs once more after.
   */
  async loadInBulk<T>(load: () => Promise<T>): Promise<T> {
    this.loadingInBulk = true;
    try {
      return await load();
    } finally {
      this.loadingInBulk = false;
      this.enforceLimits();
    }
  }

  /** Evicts the oldest records while over a limit: the end of a batch read in bulk (see `loadInBulk`). */
  enforceLimits(): void {
    this.evictWhileOver(undefined, undefined);
  }

  /** Reports a change made in place to a stored record whose size did not need accounting for. */
  changedInPlace(tenant: string, collection: string, id: string): void {
    if (this.tenants.get(tenant)?.collections.get(collection)?.entries.has(id))
      this.observer?.recordChanged(tenant, collection, id);
  }

  /**
   * Every record as [tenant, collection, id, record], in insertion order per collection; a live view,
   * read lazily. A record not read since it was loaded comes as its JSON text: writers copy it as it is.
   * `storedBefore` (a `nextRank` taken earlier) leaves out the records stored since: a snapshot
   * written in slices gets those from the journal batches written after it, in the order they came.
   */
  *records(
    storedBefore = Number.POSITIVE_INFINITY,
  ): Generator<[tenant: string, collection: string, id: string, record: HeldRecord]> {
    for (const [tenant, { collections }] of this.tenants.entriesByRank(seqOf)) {
      for (const [collection, scope] of collections) {
        for (const [id, held] of scope.entries.entriesByRank(seqOf))
          if (seqOf(held) < storedBefore) yield [tenant, collection, id, heldRecordOf(held)];
      }
    }
  }

  /** Every get-or-create index entry as [tenant, key, id]; with `storedBefore`, those of the records `records` yields. */
  *indexEntries(storedBefore = Number.POSITIVE_INFINITY): Generator<[tenant: string, key: string, id: string]> {
    for (const [joined, id] of this.uniqueKeys.entries()) {
      const [tenant, key] = splitOnce(joined);
      if (storedBefore === Number.POSITIVE_INFINITY || this.rankOf(tenant, id) < storedBefore) yield [tenant, key, id];
    }
  }

  /** The rank the next record stored will get: every record held now ranks before it. */
  get nextRank(): number {
    return this.nextSeq;
  }

  /** A record's rank, without making an entry of a loaded one. */
  private rankOf(tenant: string, id: string): number {
    const found = this.findHeld(tenant, id);
    return found ? seqOf(found.held) : Number.POSITIVE_INFINITY;
  }

  forTenant(tenant: string): TenantState {
    return new TenantState(this, tenant);
  }

  get(tenant: string, collection: string, id: string): StoredRecord | undefined {
    const scope = this.tenants.get(tenant)?.collections.get(collection);
    const entry = scope && entryIn(scope, id);
    return entry && recordOf(entry);
  }

  /** The record as held: its JSON text if it has not been read since loading (see `HeldRecord`). */
  held(tenant: string, collection: string, id: string): HeldRecord | undefined {
    const held = this.tenants.get(tenant)?.collections.get(collection)?.entries.get(id);
    return held === undefined ? undefined : heldRecordOf(held);
  }

  /**
   * Stores a record, then evicts the oldest records while over a limit. A string is the record's JSON
   * text, kept as it is until first read (only for text `JSON.stringify` wrote: the state file's
   * checksums vouch for it). `jsonLength`: the length of its JSON, when the caller read it as text.
   * Throws RecordTooLargeError, storing nothing, for a record over the per-record limit.
   */
  put(tenant: string, collection: string, id: string, record: HeldRecord, jsonLength?: number): void {
    const holding = this.tenants.get(tenant)?.collections.get(collection);
    const existing = holding && entryIn(holding, id);
    const keyBytes = existing?.uniqueKeys?.reduce((sum, key) => sum + key.length, 0) ?? 0;
    const bytes =
      (typeof record === 'string' ? loadedBytes(id, record) : estimateRecordBytes(id, record, jsonLength)) + keyBytes;
    if (bytes > this.maxRecordBytes) throw new RecordTooLargeError(bytes, this.maxRecordBytes);
    const scope = this.scopeFor(tenant, collection);
    if (existing) {
      this.addBytes(scope.tenant, bytes - existing.bytes);
      existing.record = record;
      existing.bytes = bytes;
    } else {
      this.total++;
      this.addBytes(scope.tenant, bytes);
      if (this.loadingInBulk && typeof record === 'string') scope.entries.add(id, record, true);
      else scope.entries.add(id, { record, bytes, seq: this.nextSeq++ }, this.loadingInBulk);
      this.queueScopes.push(scope);
      this.queueIds.push(id);
    }
    this.observer?.recordChanged(tenant, collection, id);
    this.evictWhileOver(scope, id);
    if (this.queueIds.length > 2 * this.total + QUEUE_SLACK) this.dropStaleEntries();
  }

  /**
   * Accounts for a record changed in place that grew or shrank by `deltaBytes` (a message appended
   * to a session), then evicts other records while over a limit.
   */
  resize(tenant: string, collection: string, id: string, deltaBytes: number): void {
    const scope = this.tenants.get(tenant)?.collections.get(collection);
    const entry = scope && entryIn(scope, id);
    if (!scope || !entry) return;
    entry.bytes += deltaBytes;
    this.addBytes(scope.tenant, deltaBytes);
    this.observer?.recordChanged(tenant, collection, id);
    this.evictWhileOver(scope, id);
  }

  delete(tenant: string, collection: string, id: string): boolean {
    const scope = this.tenants.get(tenant)?.collections.get(collection);
    if (!scope?.entries.has(id)) return false;
    this.remove(scope, id);
    return true;
  }

  list(tenant: string, collection: string): StoredRecord[] {
    const entries = this.tenants.get(tenant)?.collections.get(collection)?.entries;
    return entries ? Array.from(entries.entriesByRank(seqOf), ([, held]) => readOnly(held)) : [];
  }

  lookup(tenant: string, key: string): string | undefined {
    return this.uniqueKeys.get(tenant + SEP + key);
  }

  /** Points a get-or-create key at a stored record; a key whose record is not stored is not kept. */
  remember(tenant: string, key: string, id: string): void {
    const found = this.findEntry(tenant, id);
    if (!found) return;
    const fullKey = tenant + SEP + key;
    this.uniqueKeys.set(fullKey, id);
    (found.entry.uniqueKeys ??= []).push(fullKey);
    found.entry.bytes += fullKey.length;
    this.addBytes(found.scope.tenant, fullKey.length);
    this.observer?.indexChanged(tenant, key);
    this.evictWhileOver(found.scope, id);
  }

  /** Forgets one tenant's state, or everything when no tenant is given. */
  reset(tenant?: string): void {
    if (tenant === undefined) {
      this.tenants = new ShardedMap();
      this.uniqueKeys = new ShardedMap();
      this.queueScopes = new ChunkedQueue();
      this.queueIds = new ChunkedQueue();
      this.total = 0;
      this.totalBytes = 0;
    } else {
      // Emptied, so the eviction queue's entries for it become stale.
      for (const scope of [...(this.tenants.get(tenant)?.collections.values() ?? [])]) {
        for (const id of [...scope.entries.keys()]) this.remove(scope, id);
      }
    }
    // Last: the reset stands for every removal just reported.
    this.observer?.wasReset(tenant);
  }

  /** Drops one get-or-create index entry. */
  forget(tenant: string, key: string): void {
    if (this.uniqueKeys.delete(tenant + SEP + key)) this.observer?.indexChanged(tenant, key);
  }

  /** A JSON-ready copy of one tenant's state, or of everything. */
  snapshot(tenant?: string): StoreSnapshot {
    const snapshot = emptySnapshot();
    for (const [owner, { collections }] of this.tenants.entriesByRank(seqOf)) {
      if (tenant !== undefined && owner !== tenant) continue;
      for (const [collection, scope] of collections) {
        for (const [id, held] of scope.entries.entriesByRank(seqOf))
          addSnapshotRecord(snapshot, owner, collection, id, readOnly(held));
      }
    }
    for (const [key, id] of this.uniqueKeys.entries()) {
      const [owner, unique] = splitOnce(key);
      if (tenant !== undefined && owner !== tenant) continue;
      addSnapshotIndex(snapshot, owner, unique, id);
    }
    return snapshot;
  }

  /** Replaces all state with a snapshot's. */
  restore(snapshot: StoreSnapshot): void {
    this.reset();
    for (const [tenant, collections] of Object.entries(snapshot.tenants)) {
      for (const [collection, records] of Object.entries(collections)) {
        for (const [id, record] of Object.entries(records)) this.put(tenant, collection, id, record);
      }
    }
    for (const [tenant, keys] of Object.entries(snapshot.indexes)) {
      for (const [key, id] of Object.entries(keys)) this.remember(tenant, key, id);
    }
  }

  private scopeFor(tenantName: string, collection: string): Scope {
    let tenant = this.tenants.get(tenantName);
    if (!tenant) {
      tenant = { name: tenantName, seq: this.nextSeq++, collections: new Map(), bytes: 0 };
      this.tenants.add(tenantName, tenant, this.loadingInBulk);
    }
    let scope = tenant.collections.get(collection);
    if (!scope) tenant.collections.set(collection, (scope = { tenant, name: collection, entries: new ShardedMap() }));
    return scope;
  }

  private addBytes(tenant: Tenant, delta: number): void {
    tenant.bytes += delta;
    this.totalBytes += delta;
  }

  /** A tenant's record by id alone, as held: get-or-create keys name no collection. */
  private findHeld(tenant: string, id: string): { scope: Scope; held: Entry | Loaded } | undefined {
    for (const scope of this.tenants.get(tenant)?.collections.values() ?? []) {
      const held = scope.entries.get(id);
      if (held !== undefined) return { scope, held };
    }
    return undefined;
  }

  /** The same, as an entry (made from loaded text if need be). */
  private findEntry(tenant: string, id: string): { scope: Scope; entry: Entry } | undefined {
    const found = this.findHeld(tenant, id);
    return found && { scope: found.scope, entry: entryOf(found.scope, id, found.held) };
  }

  /** Takes a record out with everything that belongs to it: its unique keys, an emptied collection, an emptied tenant. */
  private remove(scope: Scope, id: string): void {
    const held = scope.entries.get(id)!;
    scope.entries.delete(id);
    this.total--;
    this.addBytes(scope.tenant, -(typeof held === 'string' ? loadedBytes(id, held) : held.bytes));
    this.observer?.recordChanged(scope.tenant.name, scope.name, id);
    for (const key of (typeof held === 'string' ? undefined : held.uniqueKeys) ?? []) {
      // The key may have been pointed at a newer record since.
      if (this.uniqueKeys.get(key) === id) {
        this.uniqueKeys.delete(key);
        if (this.observer) this.observer.indexChanged(...splitOnce(key));
      }
    }
    const { tenant } = scope;
    if (scope.entries.size === 0 && tenant.collections.get(scope.name) === scope) tenant.collections.delete(scope.name);
    if (tenant.collections.size === 0 && this.tenants.get(tenant.name) === tenant) this.tenants.delete(tenant.name);
  }

  /**
   * Evicts while over the record or byte limit, never the record `keptId` just written. A tenant that
   * pushed the store over pays first, with its own oldest records; only when it holds nothing else
   * do the oldest records of other tenants go, those of tenants holding less than the average passed
   * over. So one key, or many keys, flooding the mock do not wipe out a tenant that holds little.
   * Without a record written (the end of a journal batch), the oldest records go. While a file loads
   * in bulk, a write evicts only past twice the limits (see `loadInBulk`).
   */
  private evictWhileOver(written: Scope | undefined, keptId: string | undefined): void {
    const slack = written && this.loadingInBulk ? 2 : 1;
    while (this.total > slack * this.maxRecords || this.totalBytes > slack * this.maxBytes) {
      const evicted = written
        ? this.evictOldestOf(written.tenant, written, keptId!) || this.evictOldest(written, keptId)
        : this.evictOldest(undefined, undefined);
      if (!evicted) break;
    }
  }

  private holdsLessThanAverage(tenant: Tenant): boolean {
    return tenant.bytes * this.tenants.size < this.totalBytes;
  }

  private evictOldestOf(tenant: Tenant, keptScope: Scope, keptId: string): boolean {
    let oldest: { scope: Scope; id: string; seq: number } | undefined;
    for (const scope of tenant.collections.values()) {
      const found = scope.entries.lowestByRank(seqOf, scope === keptScope ? keptId : undefined);
      if (found && (!oldest || seqOf(found[1]) < oldest.seq)) oldest = { scope, id: found[0], seq: seqOf(found[1]) };
    }
    if (oldest) this.remove(oldest.scope, oldest.id);
    return oldest !== undefined;
  }

  private evictOldest(keptScope: Scope | undefined, keptId: string | undefined): boolean {
    let evicted = false;
    let keptSeen = false;
    let passedOver = 0;
    while (!evicted && this.queueIds.length > 0) {
      const [scope, id] = [this.queueScopes.shift()!, this.queueIds.shift()!];
      if (scope === keptScope && id === keptId) keptSeen = true;
      else if (scope.entries.has(id)) {
        if (passedOver < MAX_PASSED_OVER && this.holdsLessThanAverage(scope.tenant)) {
          // A small tenant's record goes to the back: many keys flooding the mock evict each other first.
          passedOver++;
          this.queueScopes.push(scope);
          this.queueIds.push(id);
        } else {
          this.remove(scope, id);
          evicted = true;
        }
      }
    }
    // The record just written stays live: queued again at the back, as the newest write.
    if (keptSeen) {
      this.queueScopes.push(keptScope!);
      this.queueIds.push(keptId!);
    }
    return evicted;
  }

  /** Deleted records leave stale entries behind; under create-then-delete traffic they would pile up without bound. */
  private dropStaleEntries(): void {
    const [scopes, ids] = [new ChunkedQueue<Scope>(), new ChunkedQueue<string>()];
    while (this.queueIds.length > 0) {
      const [scope, id] = [this.queueScopes.shift()!, this.queueIds.shift()!];
      if (scope.entries.has(id)) {
        scopes.push(scope);
        ids.push(id);
      }
    }
    [this.queueScopes, this.queueIds] = [scopes, ids];
  }
}

/**
 * A record's estimated size in memory: about its JSON length (as V8 holds strings, a character a
 * byte) plus a fixed overhead. `jsonLength`, when the caller has the record as JSON text already.
 */
export function estimateRecordBytes(id: string, record: StoredRecord, jsonLength?: number): number {
  return (jsonLength ?? estimateJsonLength(record)) + id.length + RECORD_OVERHEAD_BYTES;
}

function seqOf(held: Entry | Loaded | Tenant): number {
  return typeof held === 'string' ? LOADED_SEQ : held.seq;
}

/** What a record held as text costs: its length, its id's and the fixed overhead (as `estimateRecordBytes` counts). */
function loadedBytes(id: string, json: string): number {
  return json.length + id.length + RECORD_OVERHEAD_BYTES;
}

/** The record's entry, made (in place, keeping its rank) if it is still held as loaded text. */
function entryIn(scope: Scope, id: string): Entry | undefined {
  const held = scope.entries.get(id);
  return held === undefined ? undefined : entryOf(scope, id, held);
}

/** The entry of a record found as held, made in place from loaded text. */
function entryOf(scope: Scope, id: string, held: Entry | Loaded): Entry {
  if (typeof held !== 'string') return held;
  const entry: Entry = { record: held, bytes: loadedBytes(id, held), seq: LOADED_SEQ };
  scope.entries.set(id, entry);
  return entry;
}

/** The record as held, text or object, without making an entry of loaded text. */
function heldRecordOf(held: Entry | Loaded): HeldRecord {
  return typeof held === 'string' ? held : held.record;
}

/** The entry's record as an object, parsed (once) if it is still held as text. */
function recordOf(entry: Entry): StoredRecord {
  if (typeof entry.record === 'string') entry.record = JSON.parse(entry.record) as StoredRecord;
  return entry.record;
}

/**
 * A record to read, not to change (a listing, a snapshot): one still held as loaded text is parsed
 * into a copy and stays text, so listing a million loaded records leaves no million entries behind.
 */
function readOnly(held: Entry | Loaded): StoredRecord {
  return typeof held === 'string' ? (JSON.parse(held) as StoredRecord) : recordOf(held);
}

function splitOnce(key: string): [string, string] {
  const at = key.indexOf(SEP);
  return [key.slice(0, at), key.slice(at + 1)];
}

/** One tenant's view of the store: what behaviours are given, so they cannot reach another tenant. */
export class TenantState {
  /** Records handed out by get(): a behaviour may change them in place (a message appended to a session). */
  private handedOut: [collection: string, id: string][] | undefined;

  constructor(
    private readonly store: Store,
    readonly tenant: string,
  ) {}

  get(collection: string, id: string): StoredRecord | undefined {
    const record = this.store.get(this.tenant, collection, id);
    if (record) (this.handedOut ??= []).push([collection, id]);
    return record;
  }

  /** Called once a change request succeeded: every record it read counts as changed, so none is left out of the next save. */
  markReadRecordsChanged(): void {
    for (const [collection, id] of this.handedOut ?? []) this.store.changedInPlace(this.tenant, collection, id);
    this.handedOut = undefined;
  }

  put(collection: string, id: string, record: StoredRecord): void {
    this.store.put(this.tenant, collection, id, record);
  }

  /** See Store.resize: for a record changed in place. */
  resize(collection: string, id: string, deltaBytes: number): void {
    this.store.resize(this.tenant, collection, id, deltaBytes);
  }

  /** The most one record may take, for behaviours that grow a record in place. */
  get maxRecordBytes(): number {
    return this.store.maxRecordBytes;
  }

  delete(collection: string, id: string): boolean {
    return this.store.delete(this.tenant, collection, id);
  }

  list(collection: string): StoredRecord[] {
    return this.store.list(this.tenant, collection);
  }

  /**
   * Returns the record stored under a unique key, or stores the one `create` makes.
   * Synchronous on purpose: with no await between look-up and insert, concurrent identical
   * requests cannot both create.
   */
  getOrCreate(
    collection: string,
    uniqueKey: string,
    create: () => { id: string; record: StoredRecord },
  ): { record: StoredRecord; created: boolean } {
    const existingId = this.store.lookup(this.tenant, uniqueKey);
    const existing = existingId === undefined ? undefined : this.get(collection, existingId);
    if (existing) return { record: existing, created: false };
    const { id, record } = create();
    this.put(collection, id, record);
    this.store.remember(this.tenant, uniqueKey, id);
    return { record, created: true };
  }
}
