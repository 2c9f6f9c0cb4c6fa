/**
 * Coverage through real processes, against test/fixtures/coverage-3.0.yaml (16 documented items:
 * 7 statuses, 5 response media types, 4 parameters). Through `parley proxy`, a known session whose
 * coverage is counted by hand; through `parley test` against the mock, what a conforming run covers
 * and the --min-coverage gate both ways.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CoverageSummary, OperationCoverage } from '../../src/coverage/model.js';
import type { Report } from '../../src/contract/types.js';
import type { ProxyReport } from '../../src/proxy/log.js';
import type { RunningMock } from '../../src/mock/server.js';
import { ensureBuilt } from '../helpers/build.js';
import { send } from '../helpers/http.js';
import { fixtureFile, ROOT, startSpecMock } from '../helpers/mock.js';
import { run, spawnUntil, stopProcess, type Started } from '../helpers/processes.js';
import { json, startScriptedUpstream, type ScriptedUpstream } from '../proxy/upstream.js';

const BIN = path.join(ROOT, 'bin/parley.js');
const SPEC = fixtureFile('coverage-3.0.yaml');

let dir: string;
beforeAll(async () => {
  ensureBuilt();
  dir = await mkdtemp(path.join(os.tmpdir(), 'parley-coverage-'));
}, 120_000);

const byOperation = (coverage: CoverageSummary) => new Map(coverage.operations.map((o) => [o.operation, o]));
const covered = (operation: OperationCoverage, kind: 'statuses' | 'contentTypes' | 'parameters') =>
  operation[kind].filter((i) => i.covered).map((i) => i.id);

/** A sandbox that answers each documented operation as documented. */
const sandbox: ScriptedUpstream['script'] = (received, response) => {
  const url = new URL(received.url, 'http://upstream');
  if (received.method === 'GET' && url.pathname === '/items') {
    if (url.searchParams.has('cursor'))
      return json(response, 400, { title: 'bad cursor', status: 400 }, { 'content-type': 'application/problem+json' });
    return json(response, 200, { items: [{ id: '1', name: 'first' }] });
  }
  if (received.method === 'POST' && url.pathname === '/items') return json(response, 201, { id: '2', name: 'second' });
  if (received.method === 'GET' && url.pathname === '/items/1') return json(response, 200, { id: '1', name: 'first' });
  json(response, 404, { title: 'not found', status: 404 });
};

describe('parley proxy', () => {
  let upstream: ScriptedUpstream;
  let proxy: Started & { url: string };
  beforeAll(async () => {
    upstream = await startScriptedUpstream(sandbox);
    const started = await spawnUntil(
      process.execPath,
      [
        BIN,
        'proxy',
        '--upstream',
        upstream.url,
        '--port',
        '0',
        SPEC,
        '--min-coverage',
        '90',
        '--json',
        path.join(dir, 'proxy.json'),
      ],
      /listening on (http:\/\/127\.0\.0\.1:\d+)/,
      60_000,
      ROOT,
    );
    proxy = { ...started, url: started.match[1] };
  }, 90_000);
  afterAll(async () => {
    if (proxy) await stopProcess(proxy.child);
    await upstream?.close();
  });

  it('counts what a known session exercised, as by hand, and fails the gate below it', async () => {
    expect((await send(proxy.url, 'GET', '/items?limit=5', { headers: { 'x-trace': 't-1' } })).status).toBe(200);
    expect((await send(proxy.url, 'GET', '/items?cursor=zzz')).status).toBe(400);
    expect((await send(proxy.url, 'POST', '/items', { json: { name: 'second' } })).status).toBe(201);
    expect((await send(proxy.url, 'GET', '/items/1')).status).toBe(200);
    expect((await send(proxy.url, 'GET', '/items/9')).status).toBe(404);
    expect((await send(proxy.url, 'GET', '/elsewhere')).status).toBe(404); // no operation: nothing to cover

    const live = (await send(proxy.url, 'GET', '/__parley/violations')).body as ProxyReport;
    expect(live.violations).toBe(1); // only the undocumented path
    const operations = byOperation(live.coverage);
    // listItems: 200 and 400; application/json and application/problem+json of three; all 3 parameters.
    expect(covered(operations.get('listItems')!, 'statuses')).toEqual(['200', '400']);
    expect(covered(operations.get('listItems')!, 'contentTypes')).toEqual([
      'application/json',
      'application/problem+json',
    ]);
    expect(covered(operations.get('listItems')!, 'parameters')).toEqual([
      'query.limit',
      'query.cursor',
      'header.x-trace',
    ]);
    // createItem: 201 but not 422. getItem: 200 and 404 but not default.
    expect(covered(operations.get('createItem')!, 'statuses')).toEqual(['201']);
    expect(covered(operations.get('getItem')!, 'statuses')).toEqual(['200', '404']);
    expect(live.coverage.totals.statuses).toMatchObject({ covered: 5, total: 7 });
    expect(live.coverage.totals.contentTypes).toMatchObject({ covered: 4, total: 5 });
    expect(live.coverage.totals.parameters).toMatchObject({ covered: 4, total: 4 });
    expect(live.coverage.totals.overall).toEqual({ covered: 13, total: 16, percent: 81.25 });
    expect(live.coverage.phases).toEqual(['proxy']);

    const code = await stopProcess(proxy.child, 10_000);
    expect(code, proxy.output()).toBe(1);
    expect(proxy.output()).toMatch(/coverage-3\.0 listItems\s+2\/2\s+2\/3\s+3\/3\s+-\s+87%\s+text\/csv/);
    expect(proxy.output()).toContain(
      'FAILED: coverage 81% is below --min-coverage 90% (13 of 16 documented statuses, content types, parameters and constraints exercised)',
    );
    const written = JSON.parse(await readFile(path.join(dir, 'proxy.json'), 'utf8')) as ProxyReport;
    expect(written.coverage.totals.overall).toEqual(live.coverage.totals.overall);
  });
});

describe('parley test', () => {
  let mock: RunningMock;
  beforeAll(async () => {
    mock = await startSpecMock([SPEC]);
  });
  afterAll(async () => {
    await mock?.close();
  });

  // The fuzz and stateful phases only: the numbers below count statuses, media types and parameters;
  // the coverage phase's constraints are counted in test/contract/coverage.test.ts.
  const parleyTest = (...args: string[]) =>
    run(
      process.execPath,
      [BIN, 'test', '--target', mock.url, SPEC, '--runs', '10', '--phases', 'fuzz,stateful', ...args],
      120_000,
      ROOT,
    );

  it.each([7, 21])(
    'reports what a run against a conforming server covered, and fails a gate it cannot reach (seed %i)',
    async (seed) => {
      const jsonFile = path.join(dir, `test-${seed}.json`);
      const result = await parleyTest('--seed', String(seed), '--min-coverage', '100', '--json', jsonFile);
      expect(result.code, result.stdout + result.stderr).toBe(1);
      expect(result.stdout).toMatch(/: the target conforms\n/);
      // The stateful phase runs the generic crud.* properties of the items collection.
      expect(result.stdout).toMatch(/Coverage of what the specs document \(exercised by fuzz, stateful\):/);
      expect(result.stdout).toMatch(/FAILED: coverage \d+% is below --min-coverage 100% \(\d+ of 16 documented/);
      const report = JSON.parse(await readFile(jsonFile, 'utf8')) as Report;
      const operations = byOperation(report.coverage);
      expect(report.coverage.totals.overall.total).toBe(16);
      // Valid bodies are created, invalid ones refused; the mock knows no generated id; it never answers CSV.
      expect(covered(operations.get('createItem')!, 'statuses')).toEqual(['201', '422']);
      expect(covered(operations.get('getItem')!, 'statuses')).toContain('404');
      expect(covered(operations.get('getItem')!, 'parameters')).toEqual(['path.itemId']);
      expect(covered(operations.get('listItems')!, 'contentTypes')).not.toContain('text/csv');
      expect(operations.get('createItem')!.statuses[0].phases).toEqual(['fuzz', 'stateful']);
      expect(report.coverage.totals.overall.percent).toBeLessThan(100);
    },
  );

  it('passes a gate the run reaches', async () => {
    const result = await parleyTest('--seed', '7', '--min-coverage', '25', '--only', 'createItem');
    expect(result.code, result.stdout + result.stderr).toBe(0);
    // Only the selected operation is measured: createItem's 2 statuses and 1 media type.
    expect(result.stdout).toMatch(/coverage-3\.0 createItem\s+2\/2\s+1\/1\s+-\s+-\s+100%/);
    expect(result.stdout).not.toMatch(/listItems\s+\d/);
    expect(result.stdout).not.toContain('FAILED');
  });

  it('refuses a --min-coverage that is not a percentage', async () => {
    const result = await parleyTest('--min-coverage', '120');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--min-coverage expects a number from 0 to 100, got "120"');
  });
});
