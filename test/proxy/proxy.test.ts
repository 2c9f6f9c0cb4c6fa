/**
 * `parley proxy` as a QA run uses it: a child process on loopback in front of a scripted upstream
 * and of the mock. Nothing in the exchange is altered (bytes and headers compared), violations are
 * found and counted live and on exit, long bodies stream through whole, a dead upstream is a 502,
 * a recorded session is served again by `parley mock`, and --fallback mock answers what the upstream lacks.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProxyReport } from '../../src/proxy/log.js';
import { ensureBuilt } from '../helpers/build.js';
import { send } from '../helpers/http.js';
import { fixtureFile, ROOT, startSpecMock } from '../helpers/mock.js';
import { freePort, spawnUntil, stopProcess, type Started } from '../helpers/processes.js';
import { json, startScriptedUpstream, type ScriptedUpstream } from './upstream.js';

const BIN = path.join(ROOT, 'bin/parley.js');
const SPEC = fixtureFile('crud-3.1.yaml');
const SECRET = 'sk-live-4f9c2a7e1b';
const STATUS_BODY = { status: 'degraded', checkedAt: '2030-05-06T07:08:09Z', uptimeSeconds: 7 };
const NOTE = { id: 'n-1', text: 'from the sandbox', pinned: true };

function startProxy(upstream: string, ...args: string[]): Promise<Started & { url: string }> {
  return spawnUntil(
    process.execPath,
    [BIN, 'proxy', '--upstream', upstream, '--port', '0', SPEC, ...args],
    /listening on (http:\/\/127\.0\.0\.1:\d+)/,
    60_000,
    ROOT,
  ).then((started) => ({ ...started, url: started.match[1] }));
}

/** Headers that belong to one hop or one moment: the rest must come through as the upstream sent them. */
const PER_HOP = new Set(['date', 'connection', 'keep-alive', 'parley-violations', 'transfer-encoding']);
const endToEnd = (headers: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(headers).filter(([name]) => !PER_HOP.has(name)));

/** The happy sandbox: documented answers, with headers a proxy could easily mangle. */
const conformingScript: ScriptedUpstream['script'] = (received, response) => {
  if (received.method === 'GET' && received.url.startsWith('/status')) {
    return json(response, 200, STATUS_BODY, {
      'set-cookie': ['a=1; Path=/', 'b=2; HttpOnly'],
      'x-upstream-trace': 'abc',
      'cache-control': 'no-store',
    });
  }
  if (received.method === 'POST' && /^\/notebooks\/[^/]+\/notes(\?|$)/.test(received.url)) {
    if (received.bodyBytes > 1024 * 1024) {
      // A long answer, written in pieces: it must reach the client whole.
      response.writeHead(201, { 'content-type': 'application/json' });
      response.write('{"id":"big","pinned":false,"text":"');
      for (let i = 0; i < 48; i++) response.write('x'.repeat(64 * 1024));
      return response.end(`","digest":"${received.bodySha256}"}`);
    }
    return json(response, 201, NOTE);
  }
  if (received.method === 'GET' && received.url === `/notebooks/nb-1/notes/${NOTE.id}`)
    return json(response, 200, NOTE);
  json(response, 404, { type: 'about:blank', title: 'not found', status: 404 });
};

let dir: string;
beforeAll(async () => {
  ensureBuilt();
  dir = await mkdtemp(path.join(os.tmpdir(), 'parley-proxy-'));
}, 120_000);

describe('in front of a conforming upstream', () => {
  let upstream: ScriptedUpstream;
  let proxy: Started & { url: string };
  beforeAll(async () => {
    upstream = await startScriptedUpstream(conformingScript);
    proxy = await startProxy(upstream.url, '--max-body', '64kb', '--json', path.join(dir, 'clean.json'));
  }, 90_000);
  afterAll(async () => {
    if (proxy) await stopProcess(proxy.child);
    await upstream?.close();
  });

  it('forwards the request as sent and the answer as received, byte for byte', async () => {
    const body = JSON.stringify({ text: 'hello', tags: ['a', 'b'] });
    const headers = {
      authorization: `Bearer ${SECRET}`,
      'content-type': 'application/json',
      'x-trace-id': 't-42',
      accept: 'application/json',
    };
    const through = await send(proxy.url, 'POST', '/notebooks/nb-1/notes?source=qa&x=%20y', { raw: body, headers });
    const received = upstream.received.at(-1)!;
    expect(received.method).toBe('POST');
    expect(received.url).toBe('/notebooks/nb-1/notes?source=qa&x=%20y');
    expect(received.body.toString()).toBe(body);
    for (const [name, value] of Object.entries(headers)) expect(received.headers[name]).toBe(value);
    expect(received.headers['content-length']).toBe(String(Buffer.byteLength(body)));

    const direct = await send(upstream.url, 'POST', '/notebooks/nb-1/notes?source=qa&x=%20y', { raw: body, headers });
    expect(through.status).toBe(201);
    expect(through.text).toBe(direct.text);
    expect(endToEnd(through.headers)).toEqual(endToEnd(direct.headers));
    expect(through.headers['parley-violations']).toBe('0');
  });

  it('keeps every header of the answer, repeated ones included', async () => {
    const through = await send(proxy.url, 'GET', '/status?verbose=1');
    const direct = await send(upstream.url, 'GET', '/status?verbose=1');
    expect(through.text).toBe(JSON.stringify(STATUS_BODY));
    expect(through.headers['set-cookie']).toEqual(['a=1; Path=/', 'b=2; HttpOnly']);
    expect(endToEnd(through.headers)).toEqual(endToEnd(direct.headers));
  });

  it('streams bodies past the capture limit through whole, both ways', async () => {
    const chunks = Array.from({ length: 40 }, () => randomBytes(64 * 1024).toString('hex'));
    const sent = `{"text":"${chunks.join('')}"}`;
    const response = await request(`${proxy.url}/notebooks/nb-1/notes`, {
      method: 'POST',
      headers: { authorization: `Bearer ${SECRET}`, 'content-type': 'application/json' },
      body: Readable.from(['{"text":"', ...chunks, '"}'].map((c) => Buffer.from(c))),
    });
    const text = await response.body.text();
    expect(response.statusCode).toBe(201);
    const received = upstream.received.at(-1)!;
    expect(received.bodyBytes).toBe(Buffer.byteLength(sent));
    expect(received.bodySha256).toBe(createHash('sha256').update(sent).digest('hex'));
    expect(text.length).toBe(
      48 * 64 * 1024 + '{"id":"big","pinned":false,"text":""}'.length + `,"digest":"${received.bodySha256}"`.length,
    );
    expect(text.endsWith(`","digest":"${received.bodySha256}"}`)).toBe(true);
    // Too long to judge as JSON: no schema violation is made up for it.
    const report = (await send(proxy.url, 'GET', '/__parley/violations')).body as ProxyReport;
    expect(report.violations).toBe(0);
  });

  it('exits 0 on SIGTERM when it saw no violation, writing its report', async () => {
    const code = await stopProcess(proxy.child, 10_000);
    expect(code, proxy.output()).toBe(0);
    expect(proxy.output()).toMatch(/exchange\(s\) through the proxy to .*: no violations/);
    const report = JSON.parse(await readFile(path.join(dir, 'clean.json'), 'utf8')) as ProxyReport;
    expect(report.violations).toBe(0);
    expect(report.exchanges).toBeGreaterThanOrEqual(3);
  });
});

describe('in front of a faulty upstream', () => {
  let upstream: ScriptedUpstream;
  let proxy: Started & { url: string };
  const junit = () => path.join(dir, 'faulty.xml');
  const jsonReport = () => path.join(dir, 'faulty.json');
  beforeAll(async () => {
    upstream = await startScriptedUpstream((received, response) => {
      // Breaks its own schema: no builtAt, a version that is no semver, a commit too short.
      if (received.url === '/version') return json(response, 200, { version: 'one', commit: 'abc' });
      // 200 where 201 is documented, and a pinned flag that is a string.
      if (received.method === 'POST') return json(response, 200, { id: 'n-2', text: 'x', pinned: 'yes' });
      json(response, 404, { title: 'nothing' });
    });
    proxy = await startProxy(upstream.url, '--junit', junit(), '--json', jsonReport());
  }, 90_000);
  afterAll(async () => {
    if (proxy) await stopProcess(proxy.child);
    await upstream?.close();
  });

  it('passes the faulty answers on untouched and records what is wrong with them', async () => {
    const version = await send(proxy.url, 'GET', '/version');
    expect(version.status).toBe(200);
    expect(version.text).toBe('{"version":"one","commit":"abc"}');
    const created = await send(proxy.url, 'POST', '/notebooks/nb-1/notes', {
      json: { text: '' },
      headers: { authorization: `Bearer ${SECRET}`, 'x-api-key': SECRET },
    });
    expect(created.status).toBe(200);
    expect(created.text).toBe('{"id":"n-2","text":"x","pinned":"yes"}');

    const live = await send(proxy.url, 'GET', '/__parley/violations');
    const report = live.body as ProxyReport;
    const found = report.findings.flatMap((e) => e.violations.map((v) => `${e.operation} ${v.side} ${v.check}`));
    expect(found).toEqual(
      expect.arrayContaining([
        'crud-3.1 getVersion response response_schema_conformance',
        'crud-3.1 createNote request request_schema',
        'crud-3.1 createNote response status_code_conformance',
      ]),
    );
    expect(report.violations).toBe(found.length);
    expect(live.headers['parley-violations']).toBe(String(report.violations));
    const versionFinding = report.findings.find((e) => e.operation === 'crud-3.1 getVersion')!;
    expect(versionFinding.violations[0].message).toMatch(/builtAt/);
    expect(versionFinding.response!.body).toBe('{"version":"one","commit":"abc"}');
    // Credentials are kept out of every report.
    expect(live.text).not.toContain(SECRET);
    expect(report.findings.find((e) => e.operation === 'crud-3.1 createNote')!.request.headers.authorization).toBe(
      '[redacted]',
    );

    const next = await send(proxy.url, 'GET', '/version');
    expect(Number(next.headers['parley-violations'])).toBe(report.violations);
  });

  it('flags requests no spec documents', async () => {
    const response = await send(proxy.url, 'DELETE', '/status');
    expect(response.status).toBe(404);
    const report = (await send(proxy.url, 'GET', '/__parley/violations')).body as ProxyReport;
    expect(report.findings.at(-1)!.violations).toEqual([
      {
        side: 'request',
        check: 'documented_operation',
        message: 'DELETE is not documented for /status (documented: GET)',
      },
    ]);
  });

  it('exits 1 on SIGTERM, with the violations in JUnit and JSON, and no secret in either', async () => {
    const code = await stopProcess(proxy.child, 10_000);
    expect(code, proxy.output()).toBe(1);
    expect(proxy.output()).toMatch(/violation\(s\)/);
    const xml = await readFile(junit(), 'utf8');
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="parley proxy"/);
    expect(xml).toContain('<testcase classname="proxy" name="crud-3.1 getVersion">\n      <failure message="');
    expect(xml).toContain('<testcase classname="proxy" name="crud-3.1 createNote">\n      <failure message="');
    const report = JSON.parse(await readFile(jsonReport(), 'utf8')) as ProxyReport;
    expect(report.violations).toBeGreaterThanOrEqual(4);
    for (const text of [xml, JSON.stringify(report), proxy.output()]) expect(text).not.toContain(SECRET);
  });
});

describe('in front of the parley mock', () => {
  it("finds nothing wrong in conforming traffic, and only the client's fault in a bad request", async () => {
    const mock = await startSpecMock([SPEC]);
    const proxy = await startProxy(mock.url);
    const auth = { authorization: 'Bearer k' };
    try {
      const created = await send(proxy.url, 'POST', '/notebooks/nb-1/notes', {
        json: { text: 'a note', priority: 5, tags: null },
        headers: auth,
      });
      expect(created.status).toBe(201);
      const notePath = `/notebooks/nb-1/notes/${created.body.id}`;
      expect((await send(proxy.url, 'GET', notePath, { headers: auth })).body).toEqual(created.body);
      expect((await send(proxy.url, 'PATCH', notePath, { json: { pinned: true }, headers: auth })).body.pinned).toBe(
        true,
      );
      expect((await send(proxy.url, 'GET', '/notebooks/nb-1/notes', { headers: auth })).body.items).toHaveLength(1);
      expect((await send(proxy.url, 'DELETE', notePath, { headers: auth })).status).toBe(200);
      expect((await send(proxy.url, 'GET', '/status')).status).toBe(200);
      expect((await send(proxy.url, 'GET', '/version')).status).toBe(200);
      const clean = (await send(proxy.url, 'GET', '/__parley/violations')).body as ProxyReport;
      expect(clean.exchanges).toBe(7);
      expect(clean.violations).toBe(0);

      const rejected = await send(proxy.url, 'POST', '/notebooks/nb-1/notes', {
        json: { text: 'x', priority: 6 },
        headers: auth,
      });
      expect(rejected.status).toBeGreaterThanOrEqual(400);
      const report = (await send(proxy.url, 'GET', '/__parley/violations')).body as ProxyReport;
      expect(report.findings.flatMap((e) => e.violations)).toEqual([
        { side: 'request', check: 'request_schema', message: expect.stringMatching(/priority/) },
      ]);
    } finally {
      await stopProcess(proxy.child);
      await mock.close();
    }
  }, 120_000);
});

describe('when the upstream is down', () => {
  it('answers 502 in a clear shape', async () => {
    const port = await freePort();
    const proxy = await startProxy(`http://127.0.0.1:${port}`);
    try {
      const response = await send(proxy.url, 'GET', '/status');
      expect(response.status).toBe(502);
      expect(response.body).toEqual({
        error: 'upstream_unreachable',
        message: `parley proxy: the upstream http://127.0.0.1:${port} could not be reached (ECONNREFUSED)`,
      });
      expect(response.headers['parley-violations']).toBe('0');
    } finally {
      await stopProcess(proxy.child);
    }
  }, 90_000);
});

describe('--record, replayed by parley mock', () => {
  it('keeps each distinct answer as a named example and the records seen as state seeds', async () => {
    const upstream = await startScriptedUpstream(conformingScript);
    const recordDir = path.join(dir, 'recorded');
    const proxy = await startProxy(upstream.url, '--record', recordDir);
    const auth = { authorization: 'Bearer replay-key' };
    try {
      expect((await send(proxy.url, 'GET', '/status')).status).toBe(200);
      expect((await send(proxy.url, 'GET', '/status')).status).toBe(200);
      expect(
        (await send(proxy.url, 'POST', '/notebooks/nb-1/notes', { json: { text: 'from the sandbox' }, headers: auth }))
          .status,
      ).toBe(201);
      expect((await send(proxy.url, 'GET', `/notebooks/nb-1/notes/${NOTE.id}`, { headers: auth })).status).toBe(200);
    } finally {
      expect(await stopProcess(proxy.child, 10_000)).toBe(0);
      await upstream.close();
    }
    // The same answer twice is one example.
    expect(proxy.output()).toMatch(/recorded 3 example\(s\) and 1 record\(s\)/);
    const recordedSpec = path.join(recordDir, 'crud-3.1.json');
    const mock = await spawnUntil(
      process.execPath,
      [BIN, 'mock', '--port', '0', recordedSpec],
      /listening on (http:\/\/127\.0\.0\.1:\d+)/,
      60_000,
      ROOT,
    );
    try {
      const url = mock.match[1];
      const replayed = await send(url, 'GET', '/status', { headers: { prefer: 'example=observed-200-1' } });
      expect(replayed.status).toBe(200);
      expect(replayed.body).toEqual(STATUS_BODY);
      const created = await send(url, 'POST', '/notebooks/nb-1/notes', {
        json: { text: 'x' },
        headers: { ...auth, prefer: 'example=observed-201-1' },
      });
      expect(created.status).toBe(201);

      const seeds = JSON.parse(await readFile(path.join(recordDir, 'records.json'), 'utf8'));
      expect(seeds).toEqual({ '/notebooks/nb-1/notes': { [NOTE.id]: NOTE } });
      expect((await send(url, 'POST', '/__parley/state', { json: seeds, headers: auth })).status).toBe(200);
      const fetched = await send(url, 'GET', `/notebooks/nb-1/notes/${NOTE.id}`, { headers: auth });
      expect(fetched.status).toBe(200);
      expect(fetched.body).toEqual(NOTE);
    } finally {
      await stopProcess(mock.child);
    }
  }, 180_000);
});

describe('--fallback mock', () => {
  it('answers operations the upstream lacks with the mock, and the rest from the upstream', async () => {
    const upstream = await startScriptedUpstream((received, response) => {
      if (received.url === '/status') return json(response, 200, STATUS_BODY);
      // Not built yet on this upstream.
      response.writeHead(404, { 'content-type': 'text/plain' });
      response.end(`Cannot GET ${received.url}`);
    });
    const proxy = await startProxy(upstream.url, '--fallback', 'mock');
    try {
      const version = await send(proxy.url, 'GET', '/version');
      expect(version.status).toBe(200);
      expect(version.body).toEqual({
        version: expect.stringMatching(/^\d+\.\d+\.\d+$/),
        commit: expect.any(String),
        builtAt: expect.any(String),
      });
      const status = await send(proxy.url, 'GET', '/status');
      expect(status.body).toEqual(STATUS_BODY);
      const created = await send(proxy.url, 'POST', '/notebooks/nb-1/notes', {
        json: { text: 'kept by the mock' },
        headers: { authorization: 'Bearer k' },
      });
      expect(created.status).toBe(201);
      const fetched = await send(proxy.url, 'GET', `/notebooks/nb-1/notes/${created.body.id}`, {
        headers: { authorization: 'Bearer k' },
      });
      expect(fetched.body).toEqual(created.body);
      const report = (await send(proxy.url, 'GET', '/__parley/violations')).body as ProxyReport;
      expect(report.answeredByMock).toBe(3);
      expect(report.violations).toBe(0);
    } finally {
      await stopProcess(proxy.child);
      await upstream.close();
    }
  }, 120_000);
});
