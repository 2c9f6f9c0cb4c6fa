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

type Scope = Map<string, StoredRecord>;

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
  private changes = 0;

  constructor(readonly maxRecords = 1_000_000) {}

  get size(): number {
    return this.total;
  }

  /** Grows with every change, so a periodic save can tell whether there is anything new to write. */
  get revision(): number {
    return this.changes;
  }

  /** Counts a change made in place to a stored record (e.g. a message appended to a session). */
  touch(): void {
    this.changes++;
  }

  forTenant(tenant: string): TenantState {
    return new TenantState(this, tenant);
  }

  get(tenant: string, collection: string, id: string): StoredRecord | undefined {
    return this.tenants.get(tenant)?.get(collection)?.get(id);
  }

  put(tenant: string, collection: string, id: string, record: StoredRecord): void {
    this.changes++;
    let collections = this.tenants.get(tenant);
    if (!collections) this.tenants.set(tenant, (collections = new Map()));
    let scope = collections.get(collection);
    if (!scope) collections.set(collection, (scope = new Map()));
    if (!scope.has(id)) {
      this.total++;
      this.queueScopes.push(scope);
      this.queueIds.push(id);
    }
    scope.set(id, record);
    while (this.total > this.maxRecords) this.evictOldest();
    if (this.queueIds.length - this.queueHead > 2 * this.total + QUEUE_SLACK) this.dropStaleEntries();
  }

  delete(tenant: string, collection: string, id: string): boolean {
    const removed = this.tenants.get(tenant)?.get(collection)?.delete(id) ?? false;
    if (removed) {
      this.total--;
      this.changes++;
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
    this.changes++;
  }

  /** Forgets one tenant's state, or everything when no tenant is given. */
  reset(tenant?: string): void {
    this.changes++;
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
  constructor(private readonly store: Store, readonly tenant: string) {}

  get(collection: string, id: string): StoredRecord | undefined {
    return this.store.get(this.tenant, collection, id);
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
