/**
 * The settings of a running mock that a reload (`parley mock --watch` on a config file) may bring:
 * those that can change while it serves apply from the next request on; those fixed at start (the
 * port, the store's limits, the state file...) are named as needing a restart.
 */
import type http from 'node:http';
import { isDeepStrictEqual } from 'node:util';
import type { MockApp, MockSettings } from './app.js';
import type { ConnectionCap } from './connection-cap.js';
import { DEFAULT_LIMITS, type MockServerOptions, WILDCARD_HOSTS } from './server.js';

/** Options fixed once the mock runs, with the flag that sets each. */
const RESTART_ONLY: readonly (readonly [keyof MockServerOptions, string])[] = [
  ['port', '--port'],
  ['host', '--host'],
  ['seed', '--seed'],
  ['stateFile', '--state-file'],
  ['saveIntervalMs', '--save-interval'],
  ['maxRecords', '--max-records'],
  ['maxMemoryBytes', '--max-memory'],
  ['maxRecordBytes', '--max-record-size'],
  ['watch', '--watch'],
];

/** Settings the request pipeline reads on every request; the seed is not one (it set the ids and clock). */
const PIPELINE_SETTINGS = [
  'apiKeys',
  'adminToken',
  'latencyMs',
  'errorRate',
  'cors',
  'corsAdmin',
  'allowedHosts',
  'maxBodyBytes',
] as const satisfies readonly (keyof MockSettings)[];

/** The request pipeline's settings the options give, defaults filled in. */
export function mockSettingsOf(options: MockServerOptions): MockSettings {
  return {
    apiKeys: options.apiKeys,
    adminToken: options.adminToken,
    latencyMs: options.latencyMs,
    errorRate: options.errorRate,
    cors: options.cors,
    corsAdmin: options.corsAdmin,
    // A mock bound to one named address is called by that name.
    allowedHosts: [
      ...(options.allowedHosts ?? []),
      ...(options.host && !WILDCARD_HOSTS.has(options.host) ? [options.host] : []),
    ],
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_LIMITS.maxBodyBytes,
    seed: options.seed,
    logCapacity: options.logCapacity,
  };
}

/** What a running mock is made of that settings reach. */
export interface LiveTargets {
  app: MockApp;
  server: http.Server;
  connections: ConnectionCap;
}

export class LiveSettings {
  private current: MockServerOptions;

  constructor(
    private readonly started: MockServerOptions,
    private readonly targets: LiveTargets,
  ) {
    this.current = started;
  }

  /**
   * Applies the settings that differ from the last ones applied, so a change made meanwhile through
   * the admin API (latency, error rate) stays unless the reload changes that setting too. Returns
   * the flags whose value differs from the one the mock started with and needs a restart.
   */
  apply(reloaded: Partial<MockServerOptions>): string[] {
    const next = { ...this.current, ...reloaded };
    const { app, server, connections } = this.targets;
    // Still bound where it started: the admin guard keeps accepting that host name until a restart.
    const before = mockSettingsOf({ ...this.current, host: this.started.host });
    const after = mockSettingsOf({ ...next, host: this.started.host });
    const changed = PIPELINE_SETTINGS.filter((key) => !isDeepStrictEqual(before[key], after[key]));
    if (changed.length > 0) app.applySettings(Object.fromEntries(changed.map((key) => [key, after[key]])));
    const maxConnections = next.maxConnections ?? DEFAULT_LIMITS.maxConnections;
    if (maxConnections !== connections.max) connections.setMax(maxConnections);
    // Node's periodic connection check reads it anew each time.
    server.requestTimeout = next.requestTimeoutMs ?? DEFAULT_LIMITS.requestTimeoutMs;
    this.current = next;
    return RESTART_ONLY.filter(([key]) => !isDeepStrictEqual(this.started[key], next[key])).map(([, flag]) => flag);
  }
}
