/** The last N requests the mock answered, for `GET /__parley/requests`. */

export interface LoggedRequest {
  time: string;
  tenant: string;
  method: string;
  path: string;
  operationId: string | undefined;
  status: number;
  durationMs: number;
}

export class RequestLog {
  private entries: LoggedRequest[] = [];
  private next = 0;

  constructor(private readonly capacity = 1000) {}

  add(entry: LoggedRequest): void {
    if (this.capacity <= 0) return;
    if (this.entries.length < this.capacity) this.entries.push(entry);
    else this.entries[this.next] = entry;
    this.next = (this.next + 1) % this.capacity;
  }

  /** Oldest first; only the given tenant's entries unless none is given. */
  list(tenant?: string): LoggedRequest[] {
    const ordered = this.entries.length < this.capacity ? this.entries : [...this.entries.slice(this.next), ...this.entries.slice(0, this.next)];
    return tenant === undefined ? [...ordered] : ordered.filter((entry) => entry.tenant === tenant);
  }

  clear(tenant?: string): void {
    const kept = tenant === undefined ? [] : this.list().filter((entry) => entry.tenant !== tenant);
    this.entries = kept;
    this.next = kept.length % Math.max(1, this.capacity);
  }
}
