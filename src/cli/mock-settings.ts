/**
 * `parley mock`'s flags and the server settings they give: read at start, and again on each
 * `--watch` reload from the command line merged with the config as it is then.
 */
import type { parseArgs } from 'node:util';
import type { MockServerOptions } from '../mock/server.js';
import { CACHE_FLAG, HELP_FLAG } from './command-line.js';
import { CONFIG_FLAG } from './config-flags.js';
import { parseByteSize, parseNumberOption, UsageError } from './usage-error.js';

export const MOCK_OPTIONS = {
  port: { type: 'string', short: 'p' },
  host: { type: 'string' },
  seed: { type: 'string' },
  'api-key': { type: 'string', multiple: true },
  'admin-token': { type: 'string' },
  fixtures: { type: 'string' },
  latency: { type: 'string' },
  'error-rate': { type: 'string' },
  'max-body': { type: 'string' },
  'max-records': { type: 'string' },
  'max-memory': { type: 'string' },
  'max-record-size': { type: 'string' },
  'max-connections': { type: 'string' },
  'request-timeout': { type: 'string' },
  'state-file': { type: 'string' },
  'save-interval': { type: 'string' },
  watch: { type: 'boolean' },
  'no-cors': { type: 'boolean' },
  'cors-admin': { type: 'boolean' },
  'allowed-host': { type: 'string', multiple: true },
  'no-bundled': { type: 'boolean' },
  ...CACHE_FLAG,
  ...CONFIG_FLAG,
  ...HELP_FLAG,
} as const;

/** The flag values `parseArgs` gives for MOCK_OPTIONS. */
export type MockFlagValues = ReturnType<
  typeof parseArgs<{ options: typeof MOCK_OPTIONS; allowPositionals: true }>
>['values'];

/** The server settings the flags give; a value out of range is a UsageError naming its flag. */
export function mockSettingsFrom(values: MockFlagValues) {
  return {
    port: parseNumberOption('port', values.port, { min: 0, max: 65535, integer: true }) ?? 4010,
    host: values.host,
    seed: parseNumberOption('seed', values.seed, { integer: true }),
    apiKeys: values['api-key'],
    adminToken: values['admin-token'],
    fixturesFile: values.fixtures,
    latencyMs: parseLatency(values.latency),
    errorRate: parseNumberOption('error-rate', values['error-rate'], { min: 0, max: 1 }),
    cors: !values['no-cors'],
    corsAdmin: values['cors-admin'],
    allowedHosts: values['allowed-host'],
    maxBodyBytes: parseByteSize('max-body', values['max-body']),
    maxRecords: parseNumberOption('max-records', values['max-records'], { min: 1, integer: true }),
    // Below a kilobyte not even an empty session fits.
    maxMemoryBytes: parseByteSize('max-memory', values['max-memory'], { min: 1024 }),
    maxRecordBytes: parseByteSize('max-record-size', values['max-record-size'], { min: 1024 }),
    maxConnections: parseNumberOption('max-connections', values['max-connections'], { min: 1, integer: true }),
    requestTimeoutMs: parseNumberOption('request-timeout', values['request-timeout'], { min: 1, integer: true }),
    stateFile: values['state-file'],
    saveIntervalMs: secondsToMs(parseNumberOption('save-interval', values['save-interval'], { min: 0.1 })),
    watch: values.watch,
  } satisfies MockServerOptions;
}

export type MockFlagSettings = ReturnType<typeof mockSettingsFrom>;

export function parseLatency(value: string | undefined): number | [number, number] | undefined {
  if (value === undefined) return undefined;
  const range = /^(\d+)\s*-\s*(\d+)$/.exec(value.trim());
  if (range) {
    const [min, max] = [Number(range[1]), Number(range[2])];
    if (min > max) throw new UsageError(`--latency range "${value}" has its minimum above its maximum`);
    return [min, max];
  }
  return parseNumberOption('latency', value, { min: 0 });
}

const secondsToMs = (seconds: number | undefined) => (seconds === undefined ? undefined : Math.round(seconds * 1000));
