/**
 * Public specs as users bring them (test/fixtures/real-world/, origins in SOURCES.md): each one
 * validates, its mock answers a create-then-read flow where it has one, and `parley test` against
 * `parley mock` of it ends with zero failures and a complete verdict in seeds 1-3, within a time
 * bound. Mock and harness share one engine, so any failure here is a bug of one of them.
 */
import { readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeBody } from '../../src/contract/body-encoding.js';
import { placeCredentials } from '../../src/contract/credentials.js';
import { bodyMediaOf } from '../../src/contract/requests.js';
import { crudShapeOf } from '../../src/mock/crud-shape.js';
import { exampleFromSchema } from '../../src/openapi/example.js';
import { isPlainObject } from '../../src/openapi/json-value.js';
import { loadSpec } from '../../src/openapi/load.js';
import type { Operation } from '../../src/openapi/types.js';
import { send } from '../helpers/http.js';
import { ROOT, withSpecMock } from '../helpers/mock.js';
import { run } from '../helpers/processes.js';
import { SELF_TEST_KEY as KEY, selfTest } from '../helpers/self-test.js';

const CORPUS = path.join(ROOT, 'test/fixtures/real-world');
const FILES = readdirSync(CORPUS)
  .filter((name) => /\.(ya?ml|json)$/.test(name))
  .sort()
  .map((name) => path.join(CORPUS, name));
/** Per spec and seed: the harness's own --max-time, and the test's bound around mock start and run. */
const MAX_TIME_MS = 60_000;
const TEST_BOUND_MS = 90_000;

/** The specs whose create-then-read flow the test finds: a change that loses one is a regression. */
const WITH_CREATE = [
  'oai-petstore-expanded.yaml',
  'oai-petstore.yaml',
  'redocly-museum.yaml',
  'swagger-petstore-v3.yaml',
];

interface CreateThenRead {
  create: Operation;
  read: Operation;
}

/** A POST the mock treats as a create, with the GET on the item path it makes readable. */
function createThenRead(operations: readonly Operation[]): CreateThenRead | undefined {
  for (const create of operations) {
    if (create.method !== 'post' || !crudShapeOf(create).creates) continue;
    const collection = create.path.replace(/\/$/, '');
    const read = operations.find(
      (op) => op.method === 'get' && new RegExp(`^${escapeRegExp(collection)}/\\{[^}/]+\\}$`).test(op.path),
    );
    if (read) return { create, read };
  }
  return undefined;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A concrete path for a template: every parameter filled with a plain value, the item's with `id`. */
function concretePath(template: string, id?: string | number): string {
  const filled = id === undefined ? template : template.replace(/\{[^}]+\}$/, encodeURIComponent(String(id)));
  return filled.replace(/\{[^}]+\}/g, 'parent1');
}

function requestParts(operation: Operation) {
  const placed = placeCredentials(operation.security, { apiKey: KEY });
  const query = new URLSearchParams(placed.query);
  const cookie = placed.cookies.map(([name, value]) => `${name}=${value}`).join('; ');
  const headers: Record<string, string> = { accept: 'application/json', ...placed.headers };
  if (cookie) headers.cookie = cookie;
  return { query: query.size > 0 ? `?${query}` : '', headers };
}

describe('real-world corpus', () => {
  it('has specs of several kinds, each named in SOURCES.md', async () => {
    const listed = await readFile(path.join(CORPUS, 'SOURCES.md'), 'utf8');
    expect(FILES.length).toBeGreaterThanOrEqual(10);
    for (const file of FILES) expect(listed, path.basename(file)).toContain(path.basename(file));
  });

  it('parley validate accepts every spec', async () => {
    const result = await run(process.execPath, [path.join(ROOT, 'bin/parley.js'), 'validate', ...FILES], 60_000);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    for (const file of FILES) expect(result.stdout).toMatch(new RegExp(`${escapeRegExp(file)}: valid OpenAPI 3\\.`));
  });

  it('finds a create-then-read flow in the specs that have one', async () => {
    const found: string[] = [];
    for (const file of FILES) if (createThenRead((await loadSpec(file)).operations)) found.push(path.basename(file));
    expect(found).toEqual(WITH_CREATE);
  });

  for (const file of FILES) {
    const name = path.basename(file);
    describe(name, () => {
      if (WITH_CREATE.includes(name)) {
        it('the mock answers a create, then the read of what it created', async () => {
          const spec = await loadSpec(file);
          const { create, read } = createThenRead(spec.operations)!;
          const shape = crudShapeOf(create);
          const media = bodyMediaOf(create);
          const body = exampleFromSchema(media?.schema, { direction: 'request' });
          await withSpecMock(
            [file],
            async (mock) => {
              const { query, headers } = requestParts(create);
              const encoded = media ? encodeBody(body, media.mediaType) : undefined;
              const created = await send(mock.url, 'POST', `${concretePath(create.path)}${query}`, {
                raw: encoded?.text,
                headers: encoded ? { ...headers, 'content-type': encoded.contentType } : headers,
              });
              expect(created.status, created.text).toBeGreaterThanOrEqual(200);
              expect(created.status, created.text).toBeLessThan(300);
              expect(isPlainObject(created.body), created.text).toBe(true);
              const key = created.body[shape.keyField];
              expect(key, created.text).toBeDefined();
              const readParts = requestParts(read);
              const got = await send(mock.url, 'GET', `${concretePath(read.path, key)}${readParts.query}`, {
                headers: readParts.headers,
              });
              expect(got.status, got.text).toBe(200);
              expect(got.body).toEqual(created.body);
            },
            { apiKeys: [KEY] },
          );
        });
      }

      for (const seed of [1, 2, 3]) {
        it(
          `parley test against its mock conforms, seed ${seed}`,
          async () => {
            const spec = await loadSpec(file);
            const { report, failures } = await selfTest(file, seed, {
              specs: [spec],
              specFiles: undefined,
              coverageBudget: 100,
              maxTimeMs: MAX_TIME_MS,
            });
            expect(failures).toEqual([]);
            expect(report.flaky).toEqual([]);
            expect(report.interrupted).toBe(false);
            expect(report.untested).toEqual([]);
            expect(new Set(report.tallies.map((t) => t.operation)).size).toBe(
              new Set(spec.operations.map((op) => op.id)).size,
            );
          },
          TEST_BOUND_MS,
        );
      }
    });
  }
});
