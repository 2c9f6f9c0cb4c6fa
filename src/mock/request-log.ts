/** The last N requests the mock answered, for `GET /__parley/requests` and the dashboard. */
import { DetailArena, type DetailRef, type RequestDetail } from './detail-arena.js';

export type { RequestDetail } from './detail-arena.js';

export interface LoggedRequest {
  /** Increasing per mock, for `GET /__parley/requests/<id>`. */
  id: number;
  time: string;
  tenant: string;
  method: string;
  path: string;
  operationId: string | undefined;
  status: number;
  durationMs: number;
}

/** Bounds what the log holds per entry: 1000 entries of two bodies stay within a few tens of MB. */
export const MAX_LOGGED_BODY_CHARS = 8 * 1024;

/** The log's details take at most this many bytes per entry on average (in whole 1 MiB chunks). */
const DETAIL_BYTES_PER_ENTRY = 32 * 1024;

/** A body as the log shows it: text cut at `MAX_LOGGED_BODY_CHARS`, binary as its size. */
export const clipBody = (text: string | Uint8Array): string =>
  typeof text !== 'string'
    ? `(${text.byteLength} bytes)`
    : text.length > MAX_LOGGED_BODY_CHARS
      ? `${text.slice(0, MAX_LOGGED_BODY_CHARS)}… (cut at ${MAX_LOGGED_BODY_CHARS} characters)`
      : text;

/** An entry as recorded: the time in epoch ms, formatted only when the log is read (it is written far more often). */
export type RequestLogEntry = Omit<LoggedRequest, 'time' | 'id'> & { at: number };
/** A request's detail as the pipeline has it: a binary answer is logged as its size. */
export type LoggedDetail = Omit<RequestDetail, 'responseBody'> & { responseBody: string | Uint8Array };
type StoredEntry = RequestLogEntry & { id: number; detail?: DetailRef };

export class RequestLog {
  private entries: StoredEntry[] = [];
  private next = 0;
  private lastId = 0;
  private readonly listeners = new Set<(entry: LoggedRequest) => void>();
  private readonly details: DetailArena;

  constructor(readonly capacity = 1000) {
    this.details = new DetailArena(Math.max(0, capacity) * DETAIL_BYTES_PER_ENTRY);
  }

  /** Bytes held for the entries' details (outside the JavaScript heap). */
  get detailBytes(): number {
    return this.details.heldBytes;
  }

  /**
   * Logs a request; its `detail` (headers and bodies, cut at `MAX_LOGGED_BODY_CHARS` here) is copied
   * out of the heap at once, so the log holds no reference to the request's objects.
   */
  add(entry: RequestLogEntry, detail?: LoggedDetail): void {
    if (this.capacity <= 0) return;
    const stored = entry as StoredEntry;
    stored.id = ++this.lastId;
    if (detail) {
      const { requestHeaders, requestBody, responseHeaders, responseBody, issues } = detail;
      stored.detail = this.details.write(stored.id, this.lastId - this.capacity + 1, {
        requestHeaders,
        requestBody: requestBody === undefined ? undefined : clipBody(requestBody),
        responseHeaders,
        responseBody: clipBody(responseBody),
        issues,
      });
    }
    if (this.entries.length < this.capacity) this.entries.push(stored);
    else this.entries[this.next] = stored;
    this.next = (this.next + 1) % this.capacity;
    if (this.listeners.size > 0) {
      const listed = present(stored);
      for (const listener of this.listeners) listener(listed);
    }
  }

  /** Called with every entry added until the returned function is called. */
  subscribe(listener: (entry: LoggedRequest) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Oldest first; only the given tenant's entries unless none is given. */
  list(tenant?: string): LoggedRequest[] {
    const kept = tenant === undefined ? this.ordered() : this.ordered().filter((entry) => entry.tenant === tenant);
    return kept.map(present);
  }

  /** One entry with its bodies and headers, if it is still in the log (and the tenant's, when one is given). */
  find(id: number, tenant?: string): (LoggedRequest & { detail?: RequestDetail }) | undefined {
    const entry = this.entries.find((candidate) => candidate.id === id);
    if (!entry || (tenant !== undefined && entry.tenant !== tenant)) return undefined;
    return { ...present(entry), detail: entry.detail === undefined ? undefined : this.details.read(entry.detail) };
  }

  clear(tenant?: string): void {
    const kept = tenant === undefined ? [] : this.ordered().filter((entry) => entry.tenant !== tenant);
    if (kept.length === 0) this.details.clear();
    this.entries = kept;
    this.next = kept.length % Math.max(1, this.capacity);
  }

  private ordered(): StoredEntry[] {
    return this.entries.length < this.capacity
      ? [...this.entries]
      : [...this.entries.slice(this.next), ...this.entries.slice(0, this.next)];
  }
}

function present(entry: StoredEntry): LoggedRequest {
  const { id, tenant, method, path, operationId, status, durationMs } = entry;
  return { id, time: new Date(entry.at).toISOString(), tenant, method, path, operationId, status, durationMs };
}
