/** The last N requests the mock answered, for `GET /__parley/requests` and the dashboard. */
import type { FieldIssue } from './api-error.js';

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

/** What was sent and answered, for the dashboard; bodies are cut at `MAX_LOGGED_BODY_CHARS`. */
export interface RequestDetail {
  requestHeaders: Record<string, string | string[] | undefined>;
  requestBody: string | undefined;
  responseHeaders: Record<string, string | number>;
  responseBody: string;
  /** The validation issues, when the request was rejected for them. */
  issues: FieldIssue[] | undefined;
}

/** Bounds what the log holds per entry: 1000 entries of two bodies stay within a few tens of MB. */
export const MAX_LOGGED_BODY_CHARS = 8 * 1024;

export const clipBody = (text: string | Uint8Array): string =>
  typeof text !== 'string'
    ? `(${text.byteLength} bytes)`
    : text.length > MAX_LOGGED_BODY_CHARS
      ? `${detachedSlice(text, MAX_LOGGED_BODY_CHARS)}… (cut at ${MAX_LOGGED_BODY_CHARS} characters)`
      : text;

/**
 * The first `length` characters as a string of their own. V8's `slice` shares the original's memory:
 * a log of 1,000 cuts of 1 MB bodies would otherwise hold every whole body.
 */
function detachedSlice(text: string, length: number): string {
  return Buffer.from(text.slice(0, length), 'utf8').toString('utf8');
}

/**
 * An entry as recorded: the time in epoch ms, formatted only when the log is read (it is written far
 * more often), and the detail's fields flat in the entry (one object per request, not two).
 */
export type RequestLogEntry = Omit<LoggedRequest, 'time' | 'id'> & { at: number } & Partial<RequestDetail>;
type StoredEntry = RequestLogEntry & { id: number };

export class RequestLog {
  private entries: StoredEntry[] = [];
  private next = 0;
  private lastId = 0;
  private readonly listeners = new Set<(entry: LoggedRequest) => void>();

  constructor(readonly capacity = 1000) {}

  add(entry: RequestLogEntry): void {
    if (this.capacity <= 0) return;
    const stored = entry as StoredEntry;
    stored.id = ++this.lastId;
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
    const { requestHeaders, requestBody, responseHeaders, responseBody, issues } = entry;
    const detail =
      requestHeaders && responseHeaders
        ? { requestHeaders, requestBody, responseHeaders, responseBody: responseBody ?? '', issues }
        : undefined;
    return { ...present(entry), detail };
  }

  clear(tenant?: string): void {
    const kept = tenant === undefined ? [] : this.ordered().filter((entry) => entry.tenant !== tenant);
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
