/**
 * The dashboard's live feed: Server-Sent Events to each open dashboard. Request entries go out in
 * batches (a few per second at most, whatever the load), each only to dashboards allowed to see its tenant.
 */
import type { EventChannel } from '../exchange.js';
import type { LoggedRequest, RequestLog } from '../request-log.js';

const BATCH_MS = 250;
/** A dashboard that falls this far behind gets the newest entries only. */
const MAX_BATCH = 200;

interface Subscriber {
  channel: EventChannel;
  /** The tenant it may see, or undefined for an admin (all tenants). */
  scope: string | undefined;
  pending: LoggedRequest[];
}

export class DashboardFeed {
  private readonly subscribers = new Set<Subscriber>();
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly log: RequestLog) {}

  get size(): number {
    return this.subscribers.size;
  }

  add(channel: EventChannel, scope: string | undefined): void {
    const subscriber: Subscriber = { channel, scope, pending: [] };
    this.subscribers.add(subscriber);
    // Only while someone watches does the log call back: an unwatched mock pays nothing.
    this.unsubscribe ??= this.log.subscribe((entry) => this.queue(entry));
    channel.onClose(() => this.remove(subscriber));
  }

  /** An event every dashboard gets at once (controls changed, specs reloaded). */
  broadcast(event: string, data: unknown): void {
    for (const subscriber of this.subscribers) subscriber.channel.send(event, data);
  }

  closeAll(): void {
    for (const subscriber of [...this.subscribers]) subscriber.channel.close();
    this.subscribers.clear();
    this.stop();
  }

  private queue(entry: LoggedRequest): void {
    for (const subscriber of this.subscribers) {
      if (subscriber.scope !== undefined && subscriber.scope !== entry.tenant) continue;
      subscriber.pending.push(entry);
      if (subscriber.pending.length > MAX_BATCH) subscriber.pending.shift();
    }
    this.timer ??= setTimeout(() => this.flush(), BATCH_MS);
  }

  private flush(): void {
    this.timer = undefined;
    for (const subscriber of this.subscribers) {
      if (subscriber.pending.length === 0) continue;
      subscriber.channel.send('requests', subscriber.pending);
      subscriber.pending = [];
    }
  }

  private remove(subscriber: Subscriber): void {
    this.subscribers.delete(subscriber);
    if (this.subscribers.size === 0) this.stop();
  }

  private stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
