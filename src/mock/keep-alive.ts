/**
 * Idle keep-alive connections closed only once what arrived on them is read. Node destroys a
 * connection when its keep-alive timer fires, and after a stall of the event loop (the first
 * compile of a large validator: 4.7 s for Stripe's payment-intent list under load) that timer runs
 * before the request a client sent meanwhile is read: the client sees a reset for a request it sent
 * on a connection it was entitled to reuse. With a `timeout` listener Node leaves the decision to
 * it: the close waits one turn of the loop, and a connection that began a request is kept.
 */
import type http from 'node:http';
import type { Socket } from 'node:net';

export function closeIdleConnectionsAfterReading(server: http.Server): void {
  const requests = new WeakMap<Socket, number>();
  server.on('request', (request: http.IncomingMessage) => {
    requests.set(request.socket, (requests.get(request.socket) ?? 0) + 1);
  });
  server.on('timeout', (socket: Socket) => {
    const before = requests.get(socket);
    setImmediate(() => {
      if (requests.get(socket) === before) socket.destroy();
    });
  });
}
