/** Starts the mock on a port: one HTTP server for all loaded specs, with timeouts and graceful close. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadSpecs } from '../spec/load.js';
import type { Spec } from '../spec/types.js';
import { MockApp, type MockSettings } from './app.js';
import { SEEDED_CLOCK_START, steppingClock, systemClock, type Clock } from './clock.js';
import { Fixtures } from './fixtures.js';
import { randomIds, seededIds } from './ids.js';
import { Store } from './store.js';

export interface MockServerOptions extends Partial<MockSettings> {
  specFiles?: string[];
  /** Already loaded specs (instead of `specFiles`). */
  specs?: Spec[];
  port?: number;
  host?: string;
  fixturesFile?: string;
  maxRecords?: number;
  /** Whole-request deadline: a client that never finishes its body is cut off after this. */
  requestTimeoutMs?: number;
  /** Deadline for the request head (slowloris protection). */
  headersTimeoutMs?: number;
  keepAliveTimeoutMs?: number;
  /** Bound on how long close() waits for in-flight requests. */
  shutdownGraceMs?: number;
}

export interface RunningMock {
  url: string;
  port: number;
  app: MockApp;
  server: http.Server;
  close(): Promise<void>;
}

export const DEFAULT_LIMITS = {
  maxBodyBytes: 1024 * 1024,
  requestTimeoutMs: 30_000,
  headersTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5_000,
  shutdownGraceMs: 5_000,
  maxRecords: 1_000_000,
  maxHeaderBytes: 16 * 1024,
} as const;

export async function createMockApp(options: MockServerOptions): Promise<MockApp> {
  const specs = options.specs ?? (await loadSpecs(options.specFiles ?? []));
  if (specs.length === 0) throw new Error('no specs to serve');
  const seeded = options.seed !== undefined;
  const clock: Clock = seeded ? steppingClock(SEEDED_CLOCK_START) : systemClock();
  return new MockApp(
    {
      specs,
      store: new Store(options.maxRecords ?? DEFAULT_LIMITS.maxRecords),
      fixtures: await Fixtures.fromFile(options.fixturesFile),
      clock,
      ids: seeded ? seededIds(options.seed!) : randomIds(),
    },
    {
      apiKeys: options.apiKeys,
      adminToken: options.adminToken,
      latencyMs: options.latencyMs,
      errorRate: options.errorRate,
      cors: options.cors,
      maxBodyBytes: options.maxBodyBytes ?? DEFAULT_LIMITS.maxBodyBytes,
      seed: options.seed,
      logCapacity: options.logCapacity,
    },
  );
}

export async function startMockServer(options: MockServerOptions = {}): Promise<RunningMock> {
  const app = await createMockApp(options);
  const server = http.createServer(
    {
      requestTimeout: options.requestTimeoutMs ?? DEFAULT_LIMITS.requestTimeoutMs,
      headersTimeout: options.headersTimeoutMs ?? DEFAULT_LIMITS.headersTimeoutMs,
      keepAliveTimeout: options.keepAliveTimeoutMs ?? DEFAULT_LIMITS.keepAliveTimeoutMs,
      maxHeaderSize: DEFAULT_LIMITS.maxHeaderBytes,
    },
    (request, response) => void app.handle(request, response),
  );
  // A malformed request line or oversized headers: answer 400/431 instead of dropping the socket silently.
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) return socket.destroy();
    const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    const body = JSON.stringify({ error: status === 431 ? 'headers_too_large' : status === 408 ? 'request_timeout' : 'bad_request', message: error.message });
    socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 4010, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host && options.host !== '0.0.0.0' && options.host !== '::' ? options.host : '127.0.0.1';
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    app,
    server,
    close: () => closeGracefully(server, options.shutdownGraceMs ?? DEFAULT_LIMITS.shutdownGraceMs),
  };
}

/** Stops accepting, lets in-flight requests finish, then cuts whatever is left after the grace period. */
function closeGracefully(server: http.Server, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => server.closeAllConnections(), graceMs);
    timer.unref();
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    server.closeIdleConnections();
  });
}
