/**
 * Issue #11, the harness half: a target answering with an endless or huge body, a compressed body or
 * JSON nested 5,000 deep gets a clear failure and a written report, and `parley test` stays small
 * in memory (its peak RSS measured as a child process).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { runContract } from '../../src/contract/runner.js';
import { ensureBuilt } from '../helpers/build.js';
import { ROOT } from '../helpers/mock.js';
import { watchPeakRss } from '../helpers/processes.js';

const BIN = path.join(ROOT, 'bin/parley.js');
const SEEDS = [1, 2, 3];
const MB = 1024 * 1024;

/** One operation whose 200 is any JSON array. */
const SPEC = `openapi: 3.0.3
info: { title: Bodies, version: 1.0.0 }
paths:
  /items:
    get:
      operationId: listItems
      responses:
        '200':
          description: The items
          content:
            application/json:
              schema: { type: array, items: {} }
`;

type Mode = 'endless' | 'declared-gigabyte' | 'gzip' | 'deep' | 'large-valid';

interface Target {
  url: string;
  /** accept-encoding of every request to /items. */
  acceptEncodings: (string | undefined)[];
  close(): Promise<void>;
}

const CHUNK = Buffer.from(`{"filler":"${'x'.repeat(64 * 1024)}"},`);

/** Writes chunks while the client reads, until it goes away: a body without end. */
function streamForever(response: http.ServerResponse): void {
  const pump = () => {
    while (!response.destroyed && response.write(CHUNK));
  };
  response.on('drain', pump);
  pump();
}

async function startTarget(mode: Mode): Promise<Target> {
  const acceptEncodings: (string | undefined)[] = [];
  const server = http.createServer((request, response) => {
    request.resume();
    if (!request.url?.startsWith('/items')) {
      response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
      return;
    }
    acceptEncodings.push(request.headers['accept-encoding']);
    const json = { 'content-type': 'application/json' };
    switch (mode) {
      case 'endless':
        response.writeHead(200, json).write('[');
        return streamForever(response);
      case 'declared-gigabyte':
        response.writeHead(200, { ...json, 'content-length': String(1024 * MB) }).write('[');
        return streamForever(response);
      case 'gzip':
        // Sent compressed although the client asked for identity: it must be judged as the bytes that came.
        return void response.writeHead(200, { ...json, 'content-encoding': 'gzip' }).end(gzipSync('[{"ok":true}]'));
      case 'deep':
        return void response.writeHead(200, json).end('['.repeat(5000) + ']'.repeat(5000));
      case 'large-valid':
        // Under the 4 MiB default cap: a large answer that conforms is not a failure.
        return void response
          .writeHead(200, json)
          .end(JSON.stringify(Array.from({ length: 45 }, () => ({ filler: 'x'.repeat(64 * 1024) }))));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    acceptEncodings,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Runs `test` against a fresh target, closed afterwards whatever happens. */
async function withTarget(mode: Mode, test: (target: Target) => Promise<void>): Promise<void> {
  const target = await startTarget(mode);
  try {
    await test(target);
  } finally {
    await target.close();
  }
}

let specFile: string;
let workDir: string;

beforeAll(async () => {
  ensureBuilt();
  workDir = await mkdtemp(path.join(os.tmpdir(), 'parley-harness-'));
  specFile = path.join(workDir, 'bodies.yaml');
  await writeFile(specFile, SPEC);
}, 120_000);

const run = (target: Target, seed: number, extra: { maxResponseBytes?: number } = {}) =>
  runContract({
    target: target.url,
    specFiles: [specFile],
    seed,
    runs: 5,
    requestTimeoutMs: 20_000,
    maxTimeMs: 60_000,
    ...extra,
  });

describe('harness limits on what a target sends', () => {
  for (const mode of ['endless', 'declared-gigabyte'] as const) {
    it(`a ${mode} body is a response_received failure naming the cap, in every seed`, async () => {
      await withTarget(mode, async (target) => {
        for (const seed of SEEDS) {
          const report = await run(target, seed);
          const failures = report.failures.filter((f) => f.operation === 'listItems');
          expect(failures.length, `seed ${seed}`).toBeGreaterThan(0);
          for (const failure of failures) {
            expect(failure.check).toBe('response_received');
            expect(failure.message).toBe(
              'the response body is larger than 4194304 bytes (--max-response-size); the connection was dropped',
            );
          }
        }
      });
    }, 120_000);
  }

  it('the cap follows maxResponseBytes', async () => {
    await withTarget('large-valid', async (target) => {
      const report = await run(target, 1, { maxResponseBytes: MB });
      expect(report.failures.length).toBeGreaterThan(0);
      expect(report.failures[0].message).toMatch(/larger than 1048576 bytes \(--max-response-size\)/);
    });
  }, 60_000);

  it('a large answer under the cap that conforms gives no failure, in every seed', async () => {
    await withTarget('large-valid', async (target) => {
      for (const seed of SEEDS) {
        const report = await run(target, seed);
        expect(
          report.failures.map((f) => `${f.check}: ${f.message}`),
          `seed ${seed}`,
        ).toEqual([]);
        expect(report.tallies.some((t) => t.check === 'response_schema_conformance' && t.passed > 0)).toBe(true);
      }
    });
  }, 120_000);

  it('asks for identity encoding and judges a gzip answer as its bytes, never inflated', async () => {
    await withTarget('gzip', async (target) => {
      for (const seed of SEEDS) {
        const report = await run(target, seed);
        const schema = report.failures.filter((f) => f.check === 'response_schema_conformance');
        expect(schema.length, `seed ${seed}`).toBeGreaterThan(0);
        expect(schema[0].message).toMatch(/^the 200 body cannot be checked: it is not JSON/);
        // Had it been inflated, the body would be the valid `[{"ok":true}]`.
        expect(schema[0].response?.text).not.toContain('"ok"');
      }
      expect(target.acceptEncodings.length).toBeGreaterThan(0);
      expect(new Set(target.acceptEncodings)).toEqual(new Set(['identity']));
    });
  }, 120_000);
});

describe('parley test as a process', () => {
  it('a 5,000-deep JSON body is judged as text and the JSON and JUnit reports are written', async () => {
    const [jsonFile, junitFile] = [path.join(workDir, 'deep.json'), path.join(workDir, 'deep.xml')];
    await withTarget('deep', async (target) => {
      const result = await runCli([
        'test',
        '--target',
        target.url,
        specFile,
        '--seed',
        '4',
        '--runs',
        '5',
        '--json',
        jsonFile,
        '--junit',
        junitFile,
      ]);
      expect(result.code, result.output).toBe(1);
      const report = JSON.parse(await readFile(jsonFile, 'utf8'));
      const failure = report.failures.find((f: { check: string }) => f.check === 'response_schema_conformance');
      expect(failure.message).toMatch(/nests arrays and objects more than 256 levels deep, so it is judged as text/);
      expect(failure.response.text).toHaveLength(10_000);
      expect(failure.response.json).toBeUndefined();
      expect(await readFile(junitFile, 'utf8')).toMatch(/<failure message="the 200 body cannot be checked/);
    });
  }, 120_000);

  it('stays under 300 MB of RSS against a target sending an endless body, and says why it failed', async () => {
    await withTarget('endless', async (target) => {
      const result = await runCli(['test', '--target', target.url, specFile, '--seed', '2', '--runs', '10']);
      expect(result.code, result.output).toBe(1);
      expect(result.output).toContain('the response body is larger than 4194304 bytes (--max-response-size)');
      expect(result.peakRss, `peak RSS ${Math.round(result.peakRss / MB)} MB`).toBeGreaterThan(0);
      expect(result.peakRss, `peak RSS ${Math.round(result.peakRss / MB)} MB`).toBeLessThan(300 * MB);
    });
  }, 120_000);
});

/** Runs the CLI to completion (killed after 90 s) and measures its peak RSS. */
function runCli(args: string[]): Promise<{ code: number | null; output: string; peakRss: number }> {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  const peak = watchPeakRss(child, 50);
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output, peakRss: peak() });
    });
  });
}
