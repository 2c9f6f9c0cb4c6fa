/**
 * A cap on open connections. Each may hold a request body up to the body limit while it arrives,
 * so the cap bounds that memory: requests on connections past it get a 503 at once, their bodies
 * drained without being kept. Far past it, Node drops new sockets outright.
 */
import type http from 'node:http';
import type { Socket } from 'node:net';

/** Sockets beyond the cap still cost a little each until they are answered; past this many more they are dropped unanswered. */
const REFUSAL_HEADROOM = 2;

export class ConnectionCap {
  private open = 0;
  private readonly refused = new WeakSet<Socket>();
  /** Whether any connection was ever refused: until then a request costs no look-up. */
  private refusedAny = false;

  constructor(
    private readonly server: http.Server,
    private cap: number,
  ) {
    // Before the HTTP server's own listener, so the count is right when its first request arrives.
    server.prependListener('connection', (socket: Socket) => {
      if (this.open >= this.cap) {
        this.refused.add(socket);
        this.refusedAny = true;
        return;
      }
      this.open++;
      socket.once('close', () => this.open--);
    });
    server.maxConnections = cap * REFUSAL_HEADROOM;
  }

  get max(): number {
    return this.cap;
  }

  /** A new cap for connections opened from now on; those open stay served. */
  setMax(max: number): void {
    this.cap = max;
    this.server.maxConnections = max * REFUSAL_HEADROOM;
  }

  /** True for a connection opened while the cap was reached: answer it with a refusal. */
  isRefused(socket: Socket): boolean {
    return this.refusedAny && this.refused.has(socket);
  }
}
