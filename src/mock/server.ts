/** Starts the mock on a port: one HTTP server for all loaded specs, with timeouts and graceful close. */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { loadSpecs } from '../openapi/load.js';
import type { Spec } from '../openapi/types.js';
import { MockApp, type MockSettings } from './app.js';
import { LiveSettings, mockSettingsOf } from './live-settings.js';
import {
  CLOCK_RANGE_TEXT,
  isWithinClockRange,
  SEEDED_CLOCK_START,
  steppingClock,
  systemClock,
  type Clock,
} from './clock.js';
import { fixtureKindsFor, type ApiModule } from '../apis/api-module.js';
import { BUNDLED_APIS } from '../apis/index.js';
import { CONFIG_FIXTURES, FILE_FIXTURES, Fixtures } from './fixtures.js';
import { randomIds, seededIds } from './ids.js';
import type { PersistedState } from './state-file.js';
import type { StateFileSystem } from './state-io.js';
import { StatePersistence } from './state-persistence.js';
import { closeIdleConnectionsAfterReading } from './keep-alive.js';
import { ConnectionCap } from './connection-cap.js';
import { defaultMemoryBudget } from './memory-budget.js';
import { Store } from './store.js';
import { fileSource, watchSpecs, type ReloadSource, type SpecWatcher, type WatchReport } from './watch.js';

export interface MockServerOptions extends Partial<MockSettings> {
  specFiles?: string[];
  /** Already loaded specs (instead of `specFiles`). */
  specs?: Spec[];
  port?: number;
  host?: string;
  fixturesFile?: string;
  /** Fixture data besides the file's (a config file's `fixtures`), e.g. {"agents": [...]}. */
  fixtures?: unknown;
  /**
   * The API modules to apply where they match a loaded spec (default: the bundled ones, BUNDLED_APIS);
   * [] serves every spec generically. User modules listed first take precedence.
   */
  apis?: readonly ApiModule[];
  maxRecords?: number;
  /** Bytes of stored records (JSON length) before the oldest are evicted; default from the heap limit (see defaultMemoryBudget). */
  maxMemoryBytes?: number;
  /** Bytes one stored record may take (a Feather session with its messages included); larger ones get 413. */
  maxRecordBytes?: number;
  /** Connections served at once; those past it get a 503 and are closed. */
  maxConnections?: number;
  /** Whole-request deadline: a client that never finishes its body is cut off after this. */
  requestTimeoutMs?: number;
  /** Deadline for the request head (slowloris protection). */
  headersTimeoutMs?: number;
  keepAliveTimeoutMs?: number;
  /** Bound on how long close() waits for in-flight requests. */
  shutdownGraceMs?: number;
  /** Load state from this file on start, save it every `saveIntervalMs` when it changed and on close(). */
  stateFile?: string;
  saveIntervalMs?: number;
  /** Where failed periodic saves and state file warnings are reported (default: stderr); saves are retried at the next interval. */
  onStateError?: (error: Error) => void;
  /** Reload `specFiles` and `fixturesFile` when they change on disk, keeping the state. */
  watch?: boolean;
  /** What `watch` reloads (default: `specFiles` and `fixturesFile`); `parley mock` adds its config file. */
  reloadSource?: ReloadSource;
  /** Where reloads are reported with `watch` (default: stdout and stderr). */
  watchReport?: WatchReport;
  /** The file operations state file saves use; tests pass a failing disk. */
  stateFileSystem?: StateFileSystem;
}

export interface RunningMock {
  url: string;
  port: number;
  app: MockApp;
  server: http.Server;
  /** Present with `stateFile`: saves on demand (tests, tools) besides the periodic saves. */
  persistence?: StatePersistence;
  /** Present with `watch`. */
  watcher?: SpecWatcher;
  /** Stops accepting, finishes in-flight requests, then saves the state file; rejects if that save fails. */
  close(): Promise<void>;
}

export const DEFAULT_LIMITS = {
  maxBodyBytes: 1024 * 1024,
  requestTimeoutMs: 30_000,
  headersTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5_000,
  shutdownGraceMs: 5_000,
  maxRecords: 1_000_000,
  maxRecordBytes: 8 * 1024 * 1024,
  maxConnections: 256,
  maxHeaderBytes: 16 * 1024,
  saveIntervalMs: 5_000,
} as const;

/** Addresses that bind every interface: no name to call the mock by. */
export const WILDCARD_HOSTS: ReadonlySet<string> = new Set(['0.0.0.0', '::']);

/** An empty store with the limits the options ask for. */
function storeFor(options: MockServerOptions): Store {
  return new Store({
    maxRecords: options.maxRecords ?? DEFAULT_LIMITS.maxRecords,
    maxBytes: options.maxMemoryBytes ?? defaultMemoryBudget(),
    maxRecordBytes: options.maxRecordBytes ?? DEFAULT_LIMITS.maxRecordBytes,
  });
}

export async function createMockApp(options: MockServerOptions, persisted?: PersistedState): Promise<MockApp> {
  const specs = options.specs ?? (await loadSpecs(options.specFiles ?? []));
  if (specs.length === 0) throw new Error('no specs to serve');
  const seeded = options.seed !== undefined;
  const offset = persisted?.clockOffsetMs ?? 0;
  if (!isWithinClockRange((seeded ? SEEDED_CLOCK_START.getTime() : Date.now()) + offset)) {
    throw new Error(`the saved clock offset of ${offset} ms puts the clock outside ${CLOCK_RANGE_TEXT}`);
  }
  const clock: Clock = seeded ? steppingClock(SEEDED_CLOCK_START, offset) : systemClock(offset);
  const store = persisted?.store ?? storeFor(options);
  const apis = options.apis ?? BUNDLED_APIS;
  const fixtures = new Fixtures(fixtureKindsFor(apis, specs));
  if (options.fixtures !== undefined) {
    try {
      fixtures.merge(options.fixtures, CONFIG_FIXTURES);
    } catch (error) {
      throw new Error(`fixtures: ${(error as Error).message}`);
    }
  }
  if (options.fixturesFile) {
    const data = await Fixtures.readFile(options.fixturesFile);
    try {
      fixtures.merge(data, FILE_FIXTURES);
    } catch (error) {
      throw new Error(`fixtures file ${options.fixturesFile}: ${(error as Error).message}`);
    }
  }
  if (persisted) fixtures.restore(persisted.fixtures);
  return new MockApp(
    { specs, apis, store, fixtures, clock, ids: seeded ? seededIds(options.seed!) : randomIds() },
    mockSettingsOf(options),
  );
}

export async function startMockServer(options: MockServerOptions = {}): Promise<RunningMock> {
  const report = options.onStateError ?? ((error: Error) => process.stderr.write(`parley mock: ${error.message}\n`));
  // Locked and read before anything listens: a second mock on the file, or a corrupt file, stops the start, and the file is left as it is.
  const persistence = options.stateFile
    ? await StatePersistence.open(options.stateFile, storeFor(options), {
        fs: options.stateFileSystem,
        warn: (message) => report(new Error(message)),
      })
    : undefined;
  let app: MockApp;
  try {
    app = await createMockApp(options, persistence?.restored);
    // A missing file is written at once, so an unwritable path fails the start rather than the first save.
    await persistence?.begin(app.parts);
  } catch (error) {
    await persistence?.abandon();
    throw error;
  }
  const server = http.createServer(
    {
      requestTimeout: options.requestTimeoutMs ?? DEFAULT_LIMITS.requestTimeoutMs,
      headersTimeout: options.headersTimeoutMs ?? DEFAULT_LIMITS.headersTimeoutMs,
      keepAliveTimeout: options.keepAliveTimeoutMs ?? DEFAULT_LIMITS.keepAliveTimeoutMs,
      maxHeaderSize: DEFAULT_LIMITS.maxHeaderBytes,
      // Node checks the two timeouts above only this often (30 s by default), which would let a
      // slowloris client hold its socket far longer than headersTimeout.
      connectionsCheckingInterval: Math.max(
        50,
        Math.min(1_000, (options.headersTimeoutMs ?? DEFAULT_LIMITS.headersTimeoutMs) / 4),
      ),
    },
    (request, response) => {
      if (connections.isRefused(request.socket)) app.refuseConnection(request, response, connections.max);
      else void app.handle(request, response);
    },
  );
  const connections = new ConnectionCap(server, options.maxConnections ?? DEFAULT_LIMITS.maxConnections);
  closeIdleConnectionsAfterReading(server);
  // A malformed request line or oversized headers: answer 400/431 instead of dropping the socket silently.
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    if (!socket.writable) return socket.destroy();
    const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    const body = JSON.stringify({
      error: status === 431 ? 'headers_too_large' : status === 408 ? 'request_timeout' : 'bad_request',
      message: error.message,
    });
    // Requests pipelined before the malformed one are answered first, in order.
    afterPendingAnswers(socket, () => {
      if (!socket.writable) return socket.destroy();
      socket.end(
        `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    });
  });
  const { url, port } = await listen(server, options.port ?? 4010, options.host).catch(async (error) => {
    // Never listened (e.g. port in use): the lock is released and nothing more is saved.
    await persistence?.abandon();
    throw error;
  });
  persistence?.start(options.saveIntervalMs ?? DEFAULT_LIMITS.saveIntervalMs, report);
  const watcher = options.watch
    ? watchSpecs(
        app,
        options.reloadSource ?? fileSource(options.specFiles ?? [], options.fixturesFile),
        options.watchReport ?? CONSOLE_WATCH_REPORT,
        new LiveSettings(options, { app, server, connections }),
      )
    : undefined;
  return {
    url,
    port,
    app,
    server,
    persistence,
    watcher,
    close: async () => {
      watcher?.close();
      // Open dashboards hold their event streams until told: end them, or close would wait out the grace period.
      app.feed.closeAll();
      await closeGracefully(server, options.shutdownGraceMs ?? DEFAULT_LIMITS.shutdownGraceMs);
      await persistence?.stop();
    },
  };
}

const CONSOLE_WATCH_REPORT: WatchReport = {
  reloaded: (files, restartToApply) =>
    process.stdout.write(
      `parley mock: reloaded ${files.join(', ')}\n${
        restartToApply.length > 0
          ? `parley mock: restart to apply the config's new ${restartToApply.join(', ')} (the rest is applied)\n`
          : ''
      }`,
    ),
  failed: (message) =>
    process.stderr.write(`parley mock: the edit was not loaded, still serving the previous specs: ${message}\n`),
};

/** Listens on `host` (default loopback) and gives the URL a client on this machine reaches it at. */
export function listen(server: http.Server, port: number, host = '127.0.0.1'): Promise<{ url: string; port: number }> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const bound = (server.address() as AddressInfo).port;
      const reachable = WILDCARD_HOSTS.has(host) ? '127.0.0.1' : host;
      resolve({ url: `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${bound}`, port: bound });
    });
  });
}

/**
 * Runs `then` once every answer already owed on this socket has gone out. Node attaches the answer
 * being written to `socket._httpMessage` (and the next pipelined one when it finishes), as its own
 * clientError default does; an answer still queued would be cut off by ending the socket now.
 * Only requests that arrived complete are owed one: a request whose body is the one that broke or
 * timed out gets the error instead.
 */
function afterPendingAnswers(socket: Socket, then: () => void): void {
  const current = (socket as Socket & { _httpMessage?: http.ServerResponse | null })._httpMessage;
  if (!current || current.writableFinished || socket.destroyed || !current.req.complete) {
    then();
    return;
  }
  const next = () => {
    current.off('finish', next).off('close', next);
    setImmediate(() => afterPendingAnswers(socket, then));
  };
  current.once('finish', next).once('close', next);
}

/** Stops accepting, lets in-flight requests finish, then cuts whatever is left after the grace period. */
export function closeGracefully(server: http.Server, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => server.closeAllConnections(), graceMs);
    timer.unref();
    // A keep-alive socket whose in-flight answer has just gone out would otherwise stay open until the grace period ends.
    const sweep = setInterval(() => server.closeIdleConnections(), 50);
    server.close(() => {
      clearTimeout(timer);
      clearInterval(sweep);
      resolve();
    });
    server.closeIdleConnections();
  });
}
