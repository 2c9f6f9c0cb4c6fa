/**
 * Idle keep-alive connections closed only once what arrived on them is read. Node destroys a
 * connection when its keep-alive timer fires, and after a stall of the event loop (the first
 * compile of a large validator: 4.7 s for Stripe's payment-intent list under load) that timer runs
 * before the request a client sent meanwhile is read: the client sees a reset for a request it sent
 * on a connection it was entitled to reuse. With a `timeout` listener Node leaves the decision to
 * it: the close waits one turn of the loop (timers run before the loop reads its sockets), and a
 * connection that received bytes meanwhile is kept; the request and headers timeouts still bound it.
 *
 * Nothing runs per request: the socket's own byte count tells whether anything arrived.
 */
import type http from 'node:http';
import type { Socket } from 'node:net';

export function closeIdleConnectionsAfterReading(server: http.Server): void {
  server.on('timeout', (socket: Socket) => {
    const before = socket.bytesRead;
    setImmediate(() => {
      if (socket.bytesRead === before) socket.destroy();
    });
  });
}
