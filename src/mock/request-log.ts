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

/** An entry as recorded: the time in epoch ms, formatted only when the log is read (it is written far more often). */
export type RequestLogEntry = Omit<LoggedRequest, 'time'> & { at: number };

export class RequestLog {
  private entries: RequestLogEntry[] = [];
  private next = 0;

  constructor(private readonly capacity = 1000) {}

  add(entry: RequestLogEntry): void {
    if (this.capacity <= 0) return;
    if (this.entries.length < this.capacity) this.entries.push(entry);
    else this.entries[this.next] = entry;
    this.next = (this.next + 1) % this.capacity;
  }

  /** Oldest first; only the given tenant's entries unless none is given. */
  list(tenant?: string): LoggedRequest[] {
    const kept = tenant === undefined ? this.ordered() : this.ordered().filter((entry) => entry.tenant === tenant);
    return kept.map(({ at, ...entry }) => ({ time: new Date(at).toISOString(), ...entry }));
  }

  clear(tenant?: string): void {
    const kept = tenant === undefined ? [] : this.ordered().filter((entry) => entry.tenant !== tenant);
    this.entries = kept;
    this.next = kept.length % Math.max(1, this.capacity);
  }

  private ordered(): RequestLogEntry[] {
    return this.entries.length < this.capacity ? [...this.entries] : [...this.entries.slice(this.next), ...this.entries.slice(0, this.next)];
  }
}
