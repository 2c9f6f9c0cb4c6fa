/** The on-disk spec cache through the API: hits behave as fresh loads, edits miss, damage is rebuilt, size is bounded. */
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeGraph, encodeGraph } from '../../src/openapi/cache/graph.js';
import { cacheDirectory } from '../../src/openapi/cache/location.js';
import type { SpecCacheOptions } from '../../src/openapi/cache/open.js';
import { cachedLoad } from '../../src/openapi/cache/spec-cache.js';
import { schemaArbitrary } from '../../src/openapi/arbitrary.js';
import { loadSpec, readSpecDocuments } from '../../src/openapi/load.js';
import { resolvePointer as at } from '../../src/openapi/pointer.js';
import type { Spec } from '../../src/openapi/types.js';
import { SpecValidator } from '../../src/openapi/validator.js';
import { BUNDLED_SPECS, fixtureFile } from '../helpers/mock.js';

/** Where the split spec's request schema for POST /things is, as a JSON pointer. */
const THING_SCHEMA = '/paths/~1things/post/requestBody/content/application~1json/schema';

let workDir: string;
let cacheDir: string;
let warnings: string[];
let options: SpecCacheOptions;

beforeEach(() => {
  workDir = mkdtempSync(path.join(os.tmpdir(), 'parley-spec-cache-'));
  cacheDir = path.join(workDir, 'cache');
  warnings = [];
  options = { dir: cacheDir, warn: (message) => warnings.push(message) };
});
afterEach(() => rmSync(workDir, { recursive: true, force: true }));

/** Loads through the cache and counts how often swagger-parser had to run. */
function countingLoader(cacheOptions: SpecCacheOptions = options) {
  let parses = 0;
  const load = async (file: string) =>
    cachedLoad(
      file,
      () => {
        parses++;
        return readSpecDocuments(file);
      },
      cacheOptions,
    );
  return { load, parses: () => parses };
}

const blobs = () => (existsSync(cacheDir) ? readdirSync(cacheDir).filter((name) => name.endsWith('.blob')) : []);

/** A 3.0 spec whose schema lives in a second file, with a recursive $ref. */
function writeSplitSpec(maxLength = 5): string {
  writeFileSync(
    path.join(workDir, 'api.yaml'),
    `openapi: 3.0.3
info: {title: Split, version: '1'}
paths:
  /things:
    post:
      requestBody:
        content:
          application/json:
            schema: {$ref: './schemas.yaml#/Thing'}
      responses:
        '201': {description: created}
`,
  );
  writeSchemas(maxLength);
  return path.join(workDir, 'api.yaml');
}

function writeSchemas(maxLength: number): void {
  writeFileSync(
    path.join(workDir, 'schemas.yaml'),
    `Thing:
  type: object
  required: [name]
  properties:
    name: {type: string, maxLength: ${maxLength}, nullable: true}
    child: {$ref: '#/Thing'}
`,
  );
}

describe('a second load comes from the cache and behaves as a fresh one', () => {
  const files = [
    ...BUNDLED_SPECS,
    fixtureFile('crud-3.0.yaml'),
    fixtureFile('keywords-3.0.yaml'),
    fixtureFile('keywords-3.1.yaml'),
  ];

  it.each(files)('%s', async (file) => {
    const { load, parses } = countingLoader();
    expect((await load(file)).fromCache).toBe(false);
    expect((await load(file)).fromCache).toBe(true);
    expect(parses()).toBe(1);

    const fresh = await loadSpec(file, { cache: false });
    const cached = await loadSpec(file, { cache: options });
    expect(cached.bundled).toEqual(fresh.bundled);
    // Same sharing and the same cycles, not only the same shape.
    expect(encodeGraph([cached.dereferenced])).toEqual(encodeGraph([fresh.dereferenced]));
    expect(cached.operations.map((op) => `${op.id} ${op.responses.length}`)).toEqual(
      fresh.operations.map((op) => `${op.id} ${op.responses.length}`),
    );
    expect(cached.warnings).toEqual(fresh.warnings);
    expectSameValidation(fresh, cached);
    expect(warnings).toEqual([]);
  });
});

/** Every request and response schema judges the same values alike, generated ones and wrong ones. */
function expectSameValidation(fresh: Spec, cached: Spec): void {
  const freshValidator = new SpecValidator(fresh);
  const cachedValidator = new SpecValidator(cached);
  let compared = 0;
  for (const [index, operation] of fresh.operations.entries()) {
    const media = [
      ...(operation.requestBody?.content ?? []).map((content) => ['request', content] as const),
      ...operation.responses.flatMap((response) => response.content.map((content) => ['response', content] as const)),
    ];
    for (const [direction, content] of media) {
      if (!content.schemaPointer || !content.schema) continue;
      const generated = fc.sample(schemaArbitrary(content.schema, { direction }), { seed: 7 + index, numRuns: 15 });
      for (const value of [...generated, {}, null, 'text', 42, [{}], ...content.examples.map((e) => e.value)]) {
        expect(cachedValidator.validate(content.schemaPointer, value, direction)).toEqual(
          freshValidator.validate(content.schemaPointer, value, direction),
        );
        compared++;
      }
    }
    expect(cached.operations[index]?.id).toBe(operation.id);
  }
  expect(compared).toBeGreaterThan(0);
}

describe('a changed spec misses the cache', () => {
  it('an edit of a $ref’d file is seen', async () => {
    const file = writeSplitSpec(5);
    const { load, parses } = countingLoader();
    await load(file);
    await load(file);
    expect(parses()).toBe(1);
    writeSchemas(7);
    const edited = await load(file);
    expect(edited.fromCache).toBe(false);
    expect(parses()).toBe(2);
    expect(at(edited.dereferenced, `${THING_SCHEMA}/properties/name/maxLength`)).toBe(7);
    // The rebuilt entry serves the edited content from now on.
    expect((await load(file)).fromCache).toBe(true);
    expect(parses()).toBe(2);
  });

  it('an edit of the spec file itself is seen', async () => {
    const file = writeSplitSpec();
    const { load, parses } = countingLoader();
    await load(file);
    writeFileSync(file, readFileSync(file, 'utf8').replace('title: Split', 'title: Renamed'));
    const edited = await load(file);
    expect(edited.fromCache).toBe(false);
    expect(at(edited.bundled, '/info/title')).toBe('Renamed');
    expect(parses()).toBe(2);
  });

  it('the cyclic schema survives the cache with its cycle', async () => {
    const file = writeSplitSpec();
    const { load } = countingLoader();
    await load(file);
    const cached = await load(file);
    expect(cached.fromCache).toBe(true);
    const thing = at(cached.dereferenced, THING_SCHEMA);
    expect(at(thing, '/properties/child')).toBe(thing);
  });
});

describe('a damaged entry is never used: it is rebuilt with a warning', () => {
  async function populated() {
    const file = writeSplitSpec();
    const loader = countingLoader();
    await loader.load(file);
    expect(blobs()).toHaveLength(1);
    return { file, loader, blob: path.join(cacheDir, blobs()[0]!) };
  }

  async function expectRebuilt(file: string, loader: ReturnType<typeof countingLoader>, warning: RegExp) {
    const result = await loader.load(file);
    expect(result.fromCache).toBe(false);
    expect(at(result.bundled, '/info/title')).toBe('Split');
    expect(loader.parses()).toBe(2);
    expect(warnings.join('\n')).toMatch(warning);
    expect((await loader.load(file)).fromCache).toBe(true);
  }

  it('a truncated entry', async () => {
    const { file, loader, blob } = await populated();
    writeFileSync(blob, readFileSync(blob).subarray(0, 100));
    await expectRebuilt(file, loader, /damaged/);
  });

  it('an entry with bytes changed but its length kept', async () => {
    const { file, loader, blob } = await populated();
    const bytes = readFileSync(blob);
    bytes[bytes.length >> 1] ^= 0x20;
    writeFileSync(blob, bytes);
    await expectRebuilt(file, loader, /damaged/);
  });

  it('another spec’s entry under this name, with an index that vouches for it', async () => {
    const { file, loader, blob } = await populated();
    const other = countingLoader();
    await other.load(fixtureFile('crud-3.0.yaml'));
    const otherBlob = blobs()
      .map((name) => path.join(cacheDir, name))
      .find((name) => name !== blob)!;
    copyFileSync(otherBlob, blob);
    const index = JSON.parse(readFileSync(path.join(cacheDir, 'index.json'), 'utf8'));
    const [, otherEntry] = index.entries.find(([key]: [string]) => otherBlob.includes(key));
    for (const item of index.entries) if (blob.includes(item[0])) item[1] = { ...otherEntry };
    writeFileSync(path.join(cacheDir, 'index.json'), JSON.stringify(index));
    await expectRebuilt(file, loader, /not the one its name says/);
  });

  it('an index that is not JSON', async () => {
    const { file, loader } = await populated();
    writeFileSync(path.join(cacheDir, 'index.json'), '{"format": 1, "entr');
    await expectRebuilt(file, loader, /index is unreadable/);
  });

  it('an entry replaced by a symbolic link to a file outside the cache', async () => {
    const { file, loader, blob } = await populated();
    const outside = path.join(workDir, 'outside.json');
    copyFileSync(blob, outside);
    rmSync(blob);
    symlinkSync(outside, blob);
    await expectRebuilt(file, loader, /symbolic link/);
    expect(readFileSync(outside).length).toBeGreaterThan(0);
  });
});

describe('the cache is bounded in bytes', () => {
  it('evicts the least recently used entries to stay under its bound', async () => {
    const specs = [writeSplitSpec(), fixtureFile('crud-3.0.yaml'), fixtureFile('keywords-3.0.yaml')];
    // Measure each entry, then allow room for two of the three.
    const sizes: number[] = [];
    for (const file of specs) {
      const before = new Set(blobs());
      await countingLoader().load(file);
      const added = blobs().find((name) => !before.has(name))!;
      sizes.push(readFileSync(path.join(cacheDir, added)).length);
    }
    rmSync(cacheDir, { recursive: true });
    const [a, b, c] = specs as [string, string, string];
    const bounded = countingLoader({
      ...options,
      maxBytes: Math.max(sizes[0]! + sizes[2]!, sizes[1]! + sizes[2]!) + 10,
    });
    await bounded.load(a);
    await bounded.load(b);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect((await bounded.load(a)).fromCache).toBe(true); // a is now the most recently used
    await new Promise((resolve) => setTimeout(resolve, 5));
    await bounded.load(c);
    expect(blobs()).toHaveLength(2);
    const total = blobs().reduce((sum, name) => sum + readFileSync(path.join(cacheDir, name)).length, 0);
    expect(total).toBeLessThanOrEqual(Math.max(sizes[0]! + sizes[2]!, sizes[1]! + sizes[2]!) + 10);
    expect((await bounded.load(a)).fromCache).toBe(true);
    expect((await bounded.load(c)).fromCache).toBe(true);
    expect((await bounded.load(b)).fromCache).toBe(false); // b was evicted
  });

  it('an entry larger than the whole bound is not stored', async () => {
    const { load } = countingLoader({ ...options, maxBytes: 100 });
    await load(writeSplitSpec());
    expect(blobs()).toEqual([]);
    expect((await load(path.join(workDir, 'api.yaml'))).fromCache).toBe(false);
  });
});

describe('a cache that cannot be used', () => {
  it('a cache directory that cannot be created is a warning; the spec still loads, every time', async () => {
    const blocker = path.join(workDir, 'a-file');
    writeFileSync(blocker, 'not a directory');
    const { load, parses } = countingLoader({ ...options, dir: path.join(blocker, 'cache') });
    const file = writeSplitSpec();
    for (let round = 0; round < 2; round++) expect(at((await load(file)).bundled, '/info/title')).toBe('Split');
    expect(parses()).toBe(2);
    expect(warnings.some((warning) => /not written/.test(warning))).toBe(true);
  });
});

describe('switching the cache off', () => {
  it('cache: false reads and writes nothing', async () => {
    const spec = await loadSpec(writeSplitSpec(), { cache: false });
    expect(spec.operations).toHaveLength(1);
    expect(existsSync(cacheDir)).toBe(false);
  });
});

describe('where the cache lives', () => {
  it('PARLEY_CACHE_DIR wins, then node_modules/.cache above the working directory, then the user cache', () => {
    expect(cacheDirectory('/anywhere', { PARLEY_CACHE_DIR: '/tmp/x' })).toBe('/tmp/x');
    const project = path.join(workDir, 'project');
    const nested = path.join(project, 'a', 'b');
    mkdirSync(path.join(project, 'node_modules'), { recursive: true });
    mkdirSync(nested, { recursive: true });
    expect(cacheDirectory(nested, {})).toBe(path.join(project, 'node_modules', '.cache', 'parley'));
    expect(cacheDirectory('/', { XDG_CACHE_HOME: '/xdg' })).toBe('/xdg/parley');
  });
});

describe('the graph encoding', () => {
  it('keeps sharing, cycles and hostile keys', () => {
    const shared = { type: 'string' };
    const node: Record<string, unknown> = { a: shared, b: shared, list: [1, 'two', null, [shared]] };
    node.self = node;
    Object.defineProperty(node, '__proto__', { value: { polluted: true }, enumerable: true });
    const [decoded] = decodeGraph(JSON.parse(JSON.stringify(encodeGraph([node])))) as [Record<string, any>];
    expect(decoded.a).toBe(decoded.b);
    expect(decoded.self).toBe(decoded);
    expect(decoded.list[3][0]).toBe(decoded.a);
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(decoded, '__proto__')?.value).toEqual({ polluted: true });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses malformed input instead of building something else', () => {
    for (const bad of [
      null,
      { rows: [['x']], roots: [0] },
      { rows: [['o', 'k', [9]]], roots: [0] },
      { rows: [['o', 'k']], roots: [0] },
    ])
      expect(() => decodeGraph(bad)).toThrow();
  });
});
