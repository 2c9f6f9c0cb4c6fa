/**
 * A seed reproduces a run: the same seed puts the same requests on the wire and gets the same checks
 * and verdict, whatever is done to make the harness cheaper. The runs here go against a
 * deterministic canned target (every answer a function of the request alone) for seeds 1-3, and
 * their digests are pinned: a change that alters what is sent or judged fails here, on purpose.
 * When a change is meant to alter generation (a new probe, another arbitrary), update the digests
 * in the same commit and say why in its message.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLED_CONTRACTS } from '../../src/apis/index.js';
import { runContract } from '../../src/contract/runner.js';
import type { Exchange, Report } from '../../src/contract/types.js';
import { exampleFromSchema } from '../../src/openapi/example.js';
import { loadSpecs } from '../../src/openapi/load.js';
import type { Operation, Spec } from '../../src/openapi/types.js';
import { BUNDLED_SPECS } from '../helpers/mock.js';

const API_KEY = 'seed-key';

interface Answer {
  status: number;
  contentType?: string;
  body: string;
}

/** The documented answer of a status class as the spec's examples make it: the same bytes every time. */
function documentedAnswer(operation: Operation, wanted: (status: string) => boolean): Answer | undefined {
  const response = operation.responses.find((r) => wanted(r.status));
  if (!response) return undefined;
  const media = response.content[0];
  const status = /^\d{3}$/.test(response.status) ? Number(response.status) : 200;
  if (!media) return { status, body: '' };
  return {
    status,
    contentType: media.mediaType,
    body: JSON.stringify(exampleFromSchema(media.schema, { direction: 'response' }) ?? {}),
  };
}

/**
 * Every documented operation answered from the spec's own examples: its 2xx with the key, its 401
 * without (or with a wrong) one, 405 for a method its path does not document. No validation, no
 * state, no clock: the answer depends on the request alone.
 */
async function startCannedTarget(specs: Spec[]): Promise<{ url: string; close(): Promise<void> }> {
  const routes = specs
    .flatMap((spec) => spec.operations)
    .map((operation) => ({
      method: operation.method.toUpperCase(),
      pattern: new RegExp(`^${operation.path.split('?')[0].replace(/\{[^}]+\}/g, '[^/]+')}$`),
      literal: !operation.path.includes('{'),
      accepted: documentedAnswer(operation, (s) => s.startsWith('2')) ?? { status: 204, body: '' },
      rejected: operation.security.length > 0 ? documentedAnswer(operation, (s) => s === '401') : undefined,
    }))
    // Fixed paths first, so `/sessions/search` is not taken for `/sessions/{id}`.
    .sort((a, b) => Number(b.literal) - Number(a.literal));
  const answerFor = (request: http.IncomingMessage): Answer => {
    const path = (request.url ?? '/').split('?')[0];
    const onPath = routes.filter((route) => route.pattern.test(path));
    if (onPath.length === 0) return { status: 404, contentType: 'application/json', body: '{"detail":"Not Found"}' };
    const route = onPath.find((candidate) => candidate.method === request.method);
    if (!route) return { status: 405, contentType: 'application/json', body: '{"detail":"Method Not Allowed"}' };
    const keyed = request.rawHeaders.some((value) => value.includes(API_KEY)) || request.url!.includes(API_KEY);
    return keyed ? route.accepted : (route.rejected ?? route.accepted);
  };
  const server = http.createServer((request, response) => {
    const answer = answerFor(request);
    request.resume();
    request.once('end', () => {
      const headers: Record<string, string | number> = { 'content-length': Buffer.byteLength(answer.body) };
      if (answer.contentType) headers['content-type'] = answer.contentType;
      response.writeHead(answer.status, headers);
      response.end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** One line per request as it went on the wire (the target's origin left out: its port changes). */
function wireLine(exchange: Exchange, origin: string): string {
  const { wire, kind } = exchange;
  const headers = Object.entries(wire.headers).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify([kind, wire.method, wire.url.replace(origin, ''), headers, wire.body ?? null]);
}

/** What the run judged: every tally, every failure, flaky and warning without timings, the verdict and the coverage. */
function judgedLines(report: Report): string[] {
  return [
    ...report.tallies.map((t) => JSON.stringify(['tally', t])),
    ...report.failures.map((f) => JSON.stringify(['failure', f.phase, f.operation, f.check, f.message, f.expected])),
    ...report.flaky.map((f) => JSON.stringify(['flaky', f.failure.operation, f.failure.check, f.failure.message])),
    ...report.warnings.map((w) => JSON.stringify(['warning', w.phase, w.operation, w.check, w.message])),
    JSON.stringify(['requests', report.requests, 'untested', report.untested]),
    JSON.stringify(['coverage', report.coverage, 'constraints', report.constraints]),
  ];
}

const digest = (lines: string[]) =>
  createHash('sha256')
    .update([...lines].sort().join('\n'))
    .digest('hex');

let specs: Spec[];
let target: Awaited<ReturnType<typeof startCannedTarget>>;

beforeAll(async () => {
  specs = await loadSpecs(BUNDLED_SPECS);
  target = await startCannedTarget(specs);
});

afterAll(async () => {
  await target?.close();
});

async function runWithSeed(seed: number): Promise<{ wire: string; judged: string; requests: number }> {
  const lines: string[] = [];
  const report = await runContract({
    target: target.url,
    specs,
    contracts: [...BUNDLED_CONTRACTS],
    apiKey: API_KEY,
    seed,
    runs: 25,
    // The stateful phase's sequences draw fresh UUIDs on purpose (distinct resources per run).
    phases: ['examples', 'coverage', 'fuzz'],
    requestTimeoutMs: 10_000,
    onExchange: (_spec, exchange) => lines.push(wireLine(exchange, target.url)),
  });
  expect(lines.length).toBe(report.requests);
  return { wire: digest(lines), judged: digest(judgedLines(report)), requests: report.requests };
}

/** Digests of seeds 1-3 (wire requests; judged checks and verdict), since each job draws from its own seed (jobSeed). */
const PINNED: Record<number, { wire: string; judged: string }> = {
  1: {
    wire: '50cf7feed8fcf57b2b9cf87ac76284fa03b017bd81d53d945b8629e0e3a6eacc',
    judged: '8e917616600ef359c658cce6ab2ba1b300f3516424f0f754203218512e64c181',
  },
  2: {
    wire: 'ea03e6dd063112c0a6c92215e522320f9bb2ca54f5c6ca2d69e46ebabd152c3b',
    judged: '356046edd4f3c3fd4cfa5219ca8b43e1b0b32b71109a05a7d4082fd266598032',
  },
  3: {
    wire: 'fe55aaed37deb7aff4204007ba95f7652c17396a70d8db0ae2967a1d410c0061',
    judged: 'ca73b9bd96965f2065b918a7d4496a20f202635f0ca540e540f3438170d90d85',
  },
};

describe('a seed reproduces the run', () => {
  for (const seed of [1, 2, 3]) {
    it(`seed ${seed}: the same wire requests, checks and verdict as pinned`, async () => {
      const run = await runWithSeed(seed);
      expect(run.requests).toBeGreaterThan(500);
      expect({ wire: run.wire, judged: run.judged }).toEqual(PINNED[seed]);
    }, 60_000);
  }

  it('two runs with one seed in one process are the same (caches filled by the first change nothing)', async () => {
    const [first, second] = [await runWithSeed(2), await runWithSeed(2)];
    expect(second).toEqual(first);
  }, 60_000);
});
