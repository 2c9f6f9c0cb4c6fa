/**
 * In-memory state, partitioned by tenant (the caller's API key) so one key never sees another's data.
 * Records are capped: past `maxRecords` the oldest are evicted first, so the mock never grows without bound.
 */

export type StoredRecord = Record<string, unknown>;

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

export function addSnapshotRecord(snapshot: StoreSnapshot, tenant: string, collection: string, id: string, record: StoredRecord): void {
  const collections = (snapshot.tenants[tenant] ??= dictionary());
  (collections[collection] ??= dictionary())[id] = record;
}

export function addSnapshotIndex(snapshot: StoreSnapshot, tenant: string, key: string, id: string): void {
  (snapshot.indexes[tenant] ??= dictionary())[key] = id;
}

const SEP = '\u0000';
/** Queue entries tolerated beyond the live records before the queue is compacted. */
const QUEUE_SLACK = 65_536;

/** One tenant's records of one collection; it knows its names so a change can be reported by them. */
export class Scope extends Map<string, StoredRecord> {
  constructor(readonly tenant: string, readonly collection: string) {
    super();
  }
}

/**
 * Told of every change, as it happens, so the state file can write only what changed since its last
 * save. Each call names what may now differ; the observer reads the current value when it writes.
 */
export interface StoreObserver {
  /** A record was stored, replaced, changed in place, deleted or evicted. */
  recordChanged(scope: Scope, id: string): void;
  /** A get-or-create index entry was set. */
  indexChanged(tenant: string, key: string): void;
  /** One tenant's state, or everything (no tenant), was forgotten. */
  wasReset(tenant?: string): void;
}

export class Store {
  /** tenant → collection → id → record. Nested rather than keyed by a joined string, which would be built and hashed on every call. */
  private readonly tenants = new Map<string, Map<string, Scope>>();
  /** `${tenant}\0${key}` → id. */
  private readonly uniqueKeys = new Map<string, string>();
  /**
   * Insertion order across all scopes, for oldest-first eviction: entry i is `queueIds[i]` in
   * `queueScopes[i]`. Two flat arrays rather than a pair per record, which would cost more memory
   * than a small record itself. Entries for deleted records are stale and skipped.
   */
  private queueScopes: (Scope | undefined)[] = [];
  private queueIds: (string | undefined)[] = [];
  private queueHead = 0;
  private total = 0;
  private observer: StoreObserver | undefined;

  constructor(readonly maxRecords = 1_000_000) {}

  get size(): number {
    return this.total;
  }

  /** Reports every later change to `observer` (the state file's journal); one observer at a time. */
  observe(observer: StoreObserver | undefined): void {
    this.observer = observer;
  }

  /** Reports a change made in place to a stored record (e.g. a message appended to a session). */
  changedInPlace(tenant: string, collection: string, id: string): void {
    const scope = this.tenants.get(tenant)?.get(collection);
    if (scope?.has(id)) this.observer?.recordChanged(scope, id);
  }

  /** Every tenant, collection and record, in insertion order; a live view, read lazily. */
  *scopes(): Generator<Scope> {
    for (const collections of this.tenants.values()) yield* collections.values();
  }

  /** Every get-or-create index entry as [tenant, key, id]. */
  *indexEntries(): Generator<[tenant: string, key: string, id: string]> {
    for (const [joined, id] of this.uniqueKeys) yield [...splitOnce(joined), id];
  }

  forTenant(tenant: string): TenantState {
    return new TenantState(this, tenant);
  }

  get(tenant: string, collection: string, id: string): StoredRecord | undefined {
    return this.tenants.get(tenant)?.get(collection)?.get(id);
  }

  put(tenant: string, collection: string, id: string, record: StoredRecord): void {
    let collections = this.tenants.get(tenant);
    if (!collections) this.tenants.set(tenant, (collections = new Map()));
    let scope = collections.get(collection);
    if (!scope) collections.set(collection, (scope = new Scope(tenant, collection)));
    // One hash lookup rather than has() then set(): a load of a million records is mostly this.
    const sizeBefore = scope.size;
    scope.set(id, record);
    if (scope.size !== sizeBefore) {
      this.total++;
      this.queueScopes.push(scope);
      this.queueIds.push(id);
    }
    this.observer?.recordChanged(scope, id);
    while (this.total > this.maxRecords) this.evictOldest();
    if (this.queueIds.length - this.queueHead > 2 * this.total + QUEUE_SLACK) this.dropStaleEntries();
  }

  delete(tenant: string, collection: string, id: string): boolean {
    const scope = this.tenants.get(tenant)?.get(collection);
    const removed = scope?.delete(id) ?? false;
    if (removed) {
      this.total--;
      this.observer?.recordChanged(scope!, id);
    }
    return removed;
  }

  list(tenant: string, collection: string): StoredRecord[] {
    return [...(this.tenants.get(tenant)?.get(collection)?.values() ?? [])];
  }

  lookup(tenant: string, key: string): string | undefined {
    return this.uniqueKeys.get(tenant + SEP + key);
  }

  remember(tenant: string, key: string, id: string): void {
    this.uniqueKeys.set(tenant + SEP + key, id);
    this.observer?.indexChanged(tenant, key);
  }

  /** Drops one get-or-create index entry. */
  forget(tenant: string, key: string): void {
    if (this.uniqueKeys.delete(tenant + SEP + key)) this.observer?.indexChanged(tenant, key);
  }

  /** Forgets one tenant's state, or everything when no tenant is given. */
  reset(tenant?: string): void {
    this.observer?.wasReset(tenant);
    if (tenant === undefined) {
      this.tenants.clear();
      this.uniqueKeys.clear();
      this.queueScopes = [];
      this.queueIds = [];
      this.queueHead = 0;
      this.total = 0;
      return;
    }
    for (const scope of this.tenants.get(tenant)?.values() ?? []) {
      this.total -= scope.size;
      // Emptied, so the eviction queue's entries for it become stale.
      scope.clear();
    }
    this.tenants.delete(tenant);
    for (const key of this.uniqueKeys.keys()) if (key.startsWith(tenant + SEP)) this.uniqueKeys.delete(key);
  }

  /** A JSON-ready copy of one tenant's state, or of everything. */
  snapshot(tenant?: string): StoreSnapshot {
    const snapshot = emptySnapshot();
    for (const [owner, collections] of this.tenants) {
      if (tenant !== undefined && owner !== tenant) continue;
      for (const [collection, scope] of collections) {
        for (const [id, record] of scope) addSnapshotRecord(snapshot, owner, collection, id, record);
      }
    }
    for (const [key, id] of this.uniqueKeys) {
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

  private evictOldest(): void {
    while (this.queueHead < this.queueIds.length) {
      const at = this.queueHead++;
      const [scope, id] = [this.queueScopes[at], this.queueIds[at]!];
      // Release the slot so the evicted id can be collected before the next compaction.
      this.queueScopes[at] = this.queueIds[at] = undefined;
      if (scope?.delete(id)) {
        this.total--;
        this.observer?.recordChanged(scope, id);
        break;
      }
    }
    // Drop the consumed prefix now and then, so the queue's memory follows the live records.
    if (this.queueHead > QUEUE_SLACK && this.queueHead * 2 > this.queueIds.length) {
      this.queueScopes = this.queueScopes.slice(this.queueHead);
      this.queueIds = this.queueIds.slice(this.queueHead);
      this.queueHead = 0;
    }
  }

  /** Deleted records leave stale entries behind; under create-then-delete traffic they would pile up without bound. */
  private dropStaleEntries(): void {
    const scopes: Scope[] = [];
    const ids: string[] = [];
    for (let at = this.queueHead; at < this.queueIds.length; at++) {
      const [scope, id] = [this.queueScopes[at], this.queueIds[at]!];
      if (scope?.has(id)) {
        scopes.push(scope);
        ids.push(id);
      }
    }
    [this.queueScopes, this.queueIds, this.queueHead] = [scopes, ids, 0];
  }
}

function splitOnce(key: string): [string, string] {
  const at = key.indexOf(SEP);
  return [key.slice(0, at), key.slice(at + 1)];
}

/** One tenant's view of the store: what behaviours are given, so they cannot reach another tenant. */
export class TenantState {
  /** Records handed out by get(): a behaviour may change them in place (a message appended to a session). */
  private handedOut: [collection: string, id: string][] | undefined;

  constructor(private readonly store: Store, readonly tenant: string) {}

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
  getOrCreate(collection: string, uniqueKey: string, create: () => { id: string; record: StoredRecord }): { record: StoredRecord; created: boolean } {
    const existingId = this.store.lookup(this.tenant, uniqueKey);
    const existing = existingId === undefined ? undefined : this.get(collection, existingId);
    if (existing) return { record: existing, created: false };
    const { id, record } = create();
    this.put(collection, id, record);
    this.store.remember(this.tenant, uniqueKey, id);
    return { record, created: true };
  }
}
