/**
 * `parley test` against a shared sandbox, through the CLI: --rate measured by the server's own
 * count of arrivals, credentials from the environment and never printed in any report format,
 * --cleanup leaving nothing behind, and the User-Agent it announces.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningMock } from '../../src/mock/server.js';
import { startFaultyServer, type FaultyServer } from '../faulty/server.js';
import { ensureBuilt } from '../helpers/build.js';
import { send } from '../helpers/http.js';
import { fixtureFile, ROOT, startSpecMock } from '../helpers/mock.js';
import { run } from '../helpers/processes.js';

const BIN = path.join(ROOT, 'bin/parley.js');
const SPEC = fixtureFile('crud-3.1.yaml');
const KEY = 'sk-sandbox-7d41c0e9aa';
const TENANT_SECRET = 'tenant-secret-5b2f';
const VERSION = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')).version as string;

const parleyTest = (args: string[], env: Record<string, string> = {}) =>
  run(
    '/usr/bin/env',
    [...Object.entries(env).map(([k, v]) => `${k}=${v}`), process.execPath, BIN, 'test', ...args],
    120_000,
    ROOT,
  );

interface Arrival {
  at: number;
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
}

/** A relay in front of the mock that notes when each request arrives, and with which headers. */
async function startCountingRelay(
  upstream: string,
): Promise<{ url: string; arrivals: Arrival[]; close(): Promise<void> }> {
  const arrivals: Arrival[] = [];
  const server = http.createServer(async (incoming, outgoing) => {
    arrivals.push({
      at: performance.now(),
      method: incoming.method ?? '',
      url: incoming.url ?? '',
      headers: incoming.headers,
    });
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
    const { host: _host, connection: _connection, ...headers } = incoming.headers;
    const answer = await request(new URL(incoming.url ?? '/', upstream), {
      method: incoming.method as 'GET',
      headers: headers as Record<string, string>,
      body: chunks.length > 0 ? Buffer.concat(chunks) : undefined,
    });
    const body = Buffer.from(await answer.body.arrayBuffer());
    outgoing.writeHead(answer.statusCode, {
      'content-type': String(answer.headers['content-type'] ?? 'application/json'),
      'content-length': body.length,
    });
    outgoing.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    arrivals,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

let mock: RunningMock;
let dir: string;
beforeAll(async () => {
  ensureBuilt();
  // Only the keys the tests use: a mock that accepts any key would rightly fail ignored_auth.
  mock = await startSpecMock([SPEC], { apiKeys: ['k', 'no-cleanup', 'cleanup', KEY] });
  dir = await mkdtemp(path.join(os.tmpdir(), 'parley-sandbox-'));
}, 120_000);
afterAll(async () => {
  await mock?.close();
});

describe('--rate', () => {
  it('keeps the requests the server sees under the cap, every second of the run', async () => {
    const relay = await startCountingRelay(mock.url);
    try {
      const result = await parleyTest([
        '--target',
        relay.url,
        SPEC,
        '--api-key',
        'k',
        '--seed',
        '3',
        '--runs',
        '8',
        '--rate',
        '20/s',
        '--only',
        'getStatus',
        '--only',
        'getVersion',
        '--only',
        'createNote',
      ]);
      expect(result.code, result.stdout + result.stderr).toBe(0);
      const times = relay.arrivals.map((a) => a.at);
      expect(times.length).toBeGreaterThan(30);
      // Any one-second window holds about the cap: one more for the window's edges, a few more for
      // arrivals the loaded relay noted late and then together.
      const busiest = Math.max(...times.map((start) => times.filter((t) => t >= start && t < start + 1000).length));
      expect(busiest).toBeLessThanOrEqual(24);
      const seconds = (times.at(-1)! - times[0]) / 1000;
      expect((times.length - 1) / seconds).toBeLessThanOrEqual(20.5);
      // Every request names parley and its version.
      for (const arrival of relay.arrivals) expect(arrival.headers['user-agent']).toBe(`parley/${VERSION}`);
    } finally {
      await relay.close();
    }
  }, 120_000);

  it('refuses a rate it cannot read', async () => {
    const result = await parleyTest(['--target', mock.url, SPEC, '--rate', 'fast']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--rate expects requests per second such as 20\/s/);
  });
});

describe('credentials from the environment', () => {
  let faulty: FaultyServer;
  let relay: Awaited<ReturnType<typeof startCountingRelay>>;
  beforeAll(async () => {
    relay = await startCountingRelay(mock.url);
    // 201s answered as 200s: failures, each with its curl, in every report.
    faulty = await startFaultyServer([relay.url, relay.url], 'wrong_status');
  });
  afterAll(async () => {
    await faulty?.close();
    await relay?.close();
  });

  it('sends PARLEY_API_KEY and PARLEY_HEADER_*, and prints neither in any report', async () => {
    const junit = path.join(dir, 'report.xml');
    const json = path.join(dir, 'report.json');
    const html = path.join(dir, 'report.html');
    const result = await parleyTest(
      ['--target', faulty.url, SPEC, '--seed', '4', '--runs', '5', '--junit', junit, '--json', json, '--html', html],
      { PARLEY_API_KEY: KEY, PARLEY_HEADER_X_TENANT: TENANT_SECRET },
    );
    expect(result.code, result.stderr).toBe(1);
    const secured = relay.arrivals.filter((a) => a.url.startsWith('/notebooks'));
    expect(secured.some((a) => a.headers.authorization === `Bearer ${KEY}`)).toBe(true);
    expect(secured.every((a) => a.headers['x-tenant'] === TENANT_SECRET)).toBe(true);

    const reports = {
      stdout: result.stdout,
      stderr: result.stderr,
      junit: await readFile(junit, 'utf8'),
      json: await readFile(json, 'utf8'),
      html: await readFile(html, 'utf8'),
    };
    for (const [format, text] of Object.entries(reports)) {
      expect(text.includes(KEY), `${format} shows the key`).toBe(false);
      expect(text.includes(TENANT_SECRET), `${format} shows the tenant header`).toBe(false);
    }
    // The curls replay once the variables are exported.
    expect(result.stdout).toContain(`-H 'authorization: Bearer '"$PARLEY_API_KEY"''`);
    expect(result.stdout).toContain(`-H 'x-tenant: '"$PARLEY_HEADER_X_TENANT"''`);
    expect(reports.json).toContain('$PARLEY_API_KEY');
    expect(reports.html).toContain('$PARLEY_API_KEY');
  }, 120_000);
});

describe('--cleanup', () => {
  const records = async (key: string) => {
    const state = await send(mock.url, 'GET', '/__parley/state', { headers: { authorization: `Bearer ${key}` } });
    const collections = Object.values<Record<string, unknown>>(state.body.tenants?.[key] ?? {});
    return collections.reduce((sum, byId) => sum + Object.keys(byId).length, 0);
  };

  it('deletes what the run created where the spec has a DELETE, and leaves it without', async () => {
    const kept = await parleyTest([
      '--target',
      mock.url,
      SPEC,
      '--api-key',
      'no-cleanup',
      '--seed',
      '5',
      '--runs',
      '5',
    ]);
    expect(kept.code, kept.stdout).toBe(0);
    expect(await records('no-cleanup')).toBeGreaterThan(0);

    const cleaned = await parleyTest([
      '--target',
      mock.url,
      SPEC,
      '--api-key',
      'cleanup',
      '--seed',
      '5',
      '--runs',
      '5',
      '--cleanup',
    ]);
    expect(cleaned.code, cleaned.stdout).toBe(0);
    const summary = /Cleanup: (\d+) deleted, (\d+) already gone, 0 not deleted/.exec(cleaned.stdout);
    expect(summary, cleaned.stdout).not.toBeNull();
    expect(Number(summary![1])).toBeGreaterThan(0);
    expect(await records('cleanup')).toBe(0);
  }, 180_000);
});
