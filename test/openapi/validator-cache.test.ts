/**
 * Compiled validators from the on-disk cache: the same verdicts and the same issues as validators
 * ajv compiles, for every schema of the bundled specs and the fixtures (hostile format names and
 * legacy pattern escapes included); an entry that is damaged, foreign or asks for other modules is
 * a miss, never run; `cache: false` reads and writes nothing.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { schemaArbitrary } from '../../src/openapi/arbitrary.js';
import type { SpecCacheOptions } from '../../src/openapi/cache/open.js';
import { BlobStore, sha256 } from '../../src/openapi/cache/store.js';
import { PART_SCHEMAS, ValidatorCache, writeCachedValidators } from '../../src/openapi/cache/validator-cache.js';
import { loadSpec, loadSpecs } from '../../src/openapi/load.js';
import type { JsonSchema, Spec } from '../../src/openapi/types.js';
import { type Direction, SpecValidator } from '../../src/openapi/validator.js';
import { postJson } from '../helpers/http.js';
import {
  BUNDLED_SPECS,
  DEMO_AGENT_ID,
  featherKey,
  fixtureFile,
  julepKey,
  PATHS,
  ROOT,
  startSpecMock,
} from '../helpers/mock.js';

let workDir: string;
let cacheDir: string;
let warnings: string[];
let options: SpecCacheOptions;

beforeEach(() => {
  workDir = mkdtempSync(path.join(os.tmpdir(), 'parley-validator-cache-'));
  cacheDir = path.join(workDir, 'cache');
  warnings = [];
  options = { dir: cacheDir, warn: (message) => warnings.push(message) };
});
afterEach(() => rmSync(workDir, { recursive: true, force: true }));

const blobs = () =>
  existsSync(cacheDir)
    ? readdirSync(cacheDir)
        .filter((name) => name.endsWith('.blob'))
        .sort()
    : [];
const blobBytes = () => blobs().map((name) => readFileSync(path.join(cacheDir, name)));

interface SchemaUse {
  pointer: string;
  schema: JsonSchema;
  direction: Direction;
}

/** Every schema of the spec a run validates against: parameters, request bodies, responses and their headers. */
function schemaUses(spec: Spec): SchemaUse[] {
  const uses: SchemaUse[] = [];
  const add = (pointer: string | undefined, schema: JsonSchema | undefined, direction: Direction) => {
    if (pointer !== undefined && schema !== undefined) uses.push({ pointer, schema, direction });
  };
  for (const operation of spec.operations) {
    for (const parameter of operation.parameters) add(parameter.schemaPointer, parameter.schema, 'request');
    for (const media of operation.requestBody?.content ?? []) add(media.schemaPointer, media.schema, 'request');
    for (const response of operation.responses) {
      for (const media of response.content) add(media.schemaPointer, media.schema, 'response');
      for (const header of response.headerSpecs) add(header.schemaPointer, header.schema, 'response');
    }
  }
  return uses;
}

/** Values to judge: generated ones (mostly valid), each with one member replaced by any JSON, and plain wrong ones. */
function valuesFor(use: SchemaUse, seed: number): unknown[] {
  const generated = fc.sample(schemaArbitrary(use.schema, { direction: use.direction }), { seed, numRuns: 12 });
  const anyJson = fc.sample(fc.jsonValue({ maxDepth: 2 }), { seed, numRuns: generated.length });
  const mutated = generated.map((value, index) => {
    if (value === null || typeof value !== 'object') return anyJson[index];
    const copy = structuredClone(value) as Record<string, unknown>;
    const keys = Object.keys(copy);
    if (keys.length > 0) copy[keys[index % keys.length]!] = anyJson[index];
    return copy;
  });
  return [...generated, ...mutated, ...anyJson, {}, [], null, '', 'text', -1, 2 ** 31, 1.5, true];
}

const SPEC_FILES = [
  ...BUNDLED_SPECS,
  ...[
    'crud-3.0.yaml',
    'crud-3.1.yaml',
    'keywords-3.0.yaml',
    'keywords-3.1.yaml',
    'headers.yaml',
    'parameter-examples.yaml',
    'query-styles.yaml',
    'schema-view-3.0.yaml',
    'schema-view-3.1.yaml',
    'real-world-defects/object-named-formats-3.0.yaml',
    'real-world-defects/quirks-3.0.yaml',
    'real-world-defects/string-number-formats-3.0.yaml',
    'real-world-defects/word-boundary-pattern-3.0.yaml',
    'real-world-defects/discriminator-3.0.yaml',
    'real-world-defects/allof-nullable-3.1.yaml',
    'real-world/oai-petstore-expanded.yaml',
    'real-world/redocly-museum.yaml',
  ].map(fixtureFile),
];

describe('validators from the cache judge as compiled ones do', () => {
  it.each(SPEC_FILES.map((file) => [path.relative(ROOT, file), file]))('%s', async (_name, file) => {
    const compiled = new SpecValidator(await loadSpec(file, { cache: false }));
    // A first process compiles and writes; a later one (a new load: its own validator) reads.
    const writer = new SpecValidator(await loadSpec(file, { cache: options }));
    const uses = schemaUses(await loadSpec(file, { cache: false }));
    expect(uses.length).toBeGreaterThan(0);
    for (const use of uses) writer.compile(use.pointer);
    expect(writer.counts.fromCache).toBe(0);
    writeCachedValidators();
    const reader = new SpecValidator(await loadSpec(file, { cache: options }));

    let judged = 0;
    for (const [index, use] of uses.entries()) {
      for (const seed of [1, 2, 3]) {
        for (const value of valuesFor(use, seed * 1000 + index)) {
          const fromCache = reader.validate(use.pointer, value, use.direction);
          expect(fromCache).toEqual(compiled.validate(use.pointer, value, use.direction));
          // ajv's own errors too, schemas quoted in them (verbose) included.
          const validate = reader.compile(use.pointer);
          const fresh = compiled.compile(use.pointer);
          expect(validate(value)).toBe(fresh(value));
          expect(validate.errors ?? null).toEqual(fresh.errors ?? null);
          judged++;
        }
      }
    }
    expect(judged).toBeGreaterThan(uses.length * 3 * 30);
    expect(reader.counts).toEqual({ fromCache: new Set(uses.map((use) => use.pointer)).size, compiled: 0 });
    expect(warnings).toEqual([]);
  });
});

describe('a mock from cached validators', () => {
  /** Requests each bundled API refuses (its validation issues in its own error shape), and ones it accepts. */
  const REQUESTS: [path: string, headers: Record<string, string>, body: unknown][] = [
    [PATHS.julepSessions, julepKey(), { recall_options: { mode: 'vector', limit: 0 }, token_budget: 'many' }],
    [PATHS.julepSessions, julepKey(), { metadata: 3, context_overflow: 'sometimes', user: 'not-a-uuid' }],
    [PATHS.julepSessions, julepKey(), { situation: 'a chat' }],
    [PATHS.featherSessions, featherKey(), { title: 7, extra: [] }],
    [PATHS.featherSessions, featherKey(), {}],
    [PATHS.elizaSessions, {}, { agentId: 'not-a-uuid', userId: 5, timeoutConfig: { timeoutMinutes: -1 } }],
    [PATHS.elizaSessions, {}, { agentId: DEMO_AGENT_ID, userId: DEMO_AGENT_ID }],
  ];

  async function answers(): Promise<{ status: number; body: unknown }[]> {
    const mock = await startSpecMock([], { specs: await loadSpecs(BUNDLED_SPECS, { cache: options }) });
    try {
      const answered = [];
      for (const [route, headers, body] of REQUESTS) {
        const response = await postJson(mock.url, route, body, headers);
        answered.push({ status: response.status, body: response.status < 300 ? 'created' : response.body });
      }
      return answered;
    } finally {
      await mock.close();
    }
  }

  it('answers as a mock that compiled its validators does, and writes nothing more', async () => {
    const compiled = await answers();
    writeCachedValidators();
    const written = blobBytes();
    expect(written.length).toBeGreaterThan(3);
    const fromCache = await answers();
    writeCachedValidators();
    expect(fromCache).toEqual(compiled);
    expect(blobBytes()).toEqual(written);
    expect(compiled.map((answer) => answer.status)).toEqual([422, 422, 201, 422, 201, 400, 201]);
    expect(warnings).toEqual([]);
  });
});

describe('what is written', () => {
  it('one entry per schema document, written once; a warm use rewrites nothing', async () => {
    const spec = await loadSpec(BUNDLED_SPECS[0]!, { cache: { ...options, dir: path.join(workDir, 'specs') } });
    const pointers = schemaUses(spec).map((use) => use.pointer);
    const first = new SpecValidator(await loadSpec(BUNDLED_SPECS[0]!, { cache: options }));
    for (const pointer of pointers.slice(0, 2)) first.compile(pointer);
    expect(blobs().filter((name) => readFileSync(path.join(cacheDir, name), 'utf8').includes('"parts"'))).toEqual([]);
    writeCachedValidators();
    const written = blobs().filter((name) => readFileSync(path.join(cacheDir, name), 'utf8').includes('"parts"'));
    expect(written).toHaveLength(1);

    // A later process holding the first two compiles the rest: the entry grows, keeping what it had.
    const second = new SpecValidator(await loadSpec(BUNDLED_SPECS[0]!, { cache: options }));
    for (const pointer of pointers) second.compile(pointer);
    expect(second.counts).toEqual({ fromCache: 2, compiled: new Set(pointers).size - 2 });
    writeCachedValidators();
    const before = blobBytes();

    const third = new SpecValidator(await loadSpec(BUNDLED_SPECS[0]!, { cache: options }));
    for (const pointer of pointers) third.compile(pointer);
    expect(third.counts).toEqual({ fromCache: new Set(pointers).size, compiled: 0 });
    writeCachedValidators();
    expect(blobBytes()).toEqual(before);
    expect(warnings).toEqual([]);
  });

  it('cache: false reads and writes nothing', async () => {
    const spec = await loadSpec(BUNDLED_SPECS[1]!, { cache: false });
    const validator = new SpecValidator(spec);
    for (const use of schemaUses(spec)) validator.compile(use.pointer);
    writeCachedValidators();
    expect(existsSync(cacheDir)).toBe(false);
    expect(validator.counts.fromCache).toBe(0);
  });
});

describe('a cache directory others can write to', () => {
  it('holds no validators (they are code parley runs), with a warning; specs are cached there still', async () => {
    mkdirSync(cacheDir, { mode: 0o700 });
    chmodSync(cacheDir, 0o777);
    const spec = await loadSpec(BUNDLED_SPECS[0]!, { cache: options });
    const validator = new SpecValidator(spec);
    for (const use of schemaUses(spec)) validator.compile(use.pointer);
    writeCachedValidators();
    expect(validator.counts).toEqual({
      fromCache: 0,
      compiled: new Set(schemaUses(spec).map((use) => use.pointer)).size,
    });
    expect(blobs()).toHaveLength(1);
    expect(readFileSync(path.join(cacheDir, blobs()[0]!), 'utf8')).not.toMatch(/"parts"/);
    expect(warnings.join('\n')).toMatch(/not used: .*cache is writable by others/);
  });

  it('nor does a link where the directory should be, even to a private one', async () => {
    const target = path.join(workDir, 'elsewhere');
    mkdirSync(target, { mode: 0o700 });
    symlinkSync(target, cacheDir);
    const spec = await loadSpec(BUNDLED_SPECS[1]!, { cache: options });
    const validator = new SpecValidator(spec);
    for (const use of schemaUses(spec)) validator.compile(use.pointer);
    writeCachedValidators();
    expect(validator.counts.fromCache).toBe(0);
    expect(
      readdirSync(target).filter((name) => readFileSync(path.join(target, name), 'utf8').includes('"parts"')),
    ).toEqual([]);
    expect(warnings.join('\n')).toMatch(/not used: .*cache is not a directory/);
  });
});

describe('an entry that is not what parley wrote is a miss', () => {
  const store = () =>
    new BlobStore({ dir: cacheDir, maxBytes: 1024 * 1024, warn: (message) => warnings.push(message) });
  /** A part as ajv writes one: an export per pointer, here each accepting 1 alone. */
  const part = (pointers: readonly string[], prelude = '') =>
    prelude +
    pointers
      .map((_, index) => `exports.v${index} = function validate(data) { validate.errors = null; return data === 1; };`)
      .join('\n');

  it('code that asks for any other module is neither stored nor run', () => {
    const refused = new ValidatorCache(store(), ['modules'], (pointers) =>
      part(pointers, 'const fs = require("node:fs");'),
    );
    refused.add('/fs');
    refused.write();
    expect(blobs()).toEqual([]);
    expect(new ValidatorCache(store(), ['modules'], part).load('/fs')).toBeUndefined();

    const accepted = new ValidatorCache(store(), ['modules'], part);
    accepted.add('/a');
    accepted.add('/b');
    accepted.write();
    const again = new ValidatorCache(store(), ['modules'], part);
    expect(again.load('/b')?.(1)).toBe(true);
    expect(again.load('/b')?.(2)).toBe(false);
    expect(again.load('/c')).toBeUndefined();
  });

  /** The entry's key (its blob's name) and the parts it lists. */
  const entryOf = () => {
    for (const name of blobs()) {
      const text = readFileSync(path.join(cacheDir, name), 'utf8');
      if (text.startsWith('{"format"'))
        return { key: name.replace(/\.blob$/, ''), entry: JSON.parse(text) as { parts: [string, string[]][] } };
    }
    throw new Error('no entry written');
  };

  it('a part whose code requires another module is refused when it runs, with a warning', () => {
    const cache = new ValidatorCache(store(), ['tampered'], part);
    cache.add('/a');
    cache.write();
    const { key, entry } = entryOf();
    // A part named as parley names them, so only the check of what the code requires stands in the way.
    const code = `globalThis.ran = require("node:child_process");\n${part(['/a'])}`;
    const partKey = sha256(`${JSON.stringify([key, ['/a']])}\n${code}`);
    store().put(partKey, Buffer.from(code));
    entry.parts[0]![0] = partKey;
    store().put(key, Buffer.from(JSON.stringify(entry)));
    expect(new ValidatorCache(store(), ['tampered'], part).load('/a')).toBeUndefined();
    expect((globalThis as { ran?: unknown }).ran).toBeUndefined();
    expect(warnings.join('\n')).toMatch(/did not load \(it requires "node:child_process"\); compiling its schemas/);
  });

  it("a part filed under another part's name is refused; a part evicted meanwhile is a plain miss", () => {
    const cache = new ValidatorCache(store(), ['swapped'], part);
    cache.add('/a');
    cache.write();
    cache.add('/b');
    cache.add('/c');
    cache.write();
    const { entry } = entryOf();
    const [[first], [second]] = entry.parts as [[string, string[]], [string, string[]]];
    // The second part's bytes under the first's name: intact for the store, not for the entry.
    store().put(first, readFileSync(path.join(cacheDir, `${second}.blob`)));
    const again = new ValidatorCache(store(), ['swapped'], part);
    expect(again.load('/a')).toBeUndefined();
    expect(warnings.join('\n')).toMatch(/it is not the part its name says/);
    warnings.length = 0;
    store().delete(second);
    expect(again.load('/c')).toBeUndefined();
    expect(warnings).toEqual([]);
  });

  it(`a burst of compiles is written in parts of ${PART_SCHEMAS} validators`, () => {
    const cache = new ValidatorCache(store(), ['burst'], part);
    const count = 2 * PART_SCHEMAS + 52;
    for (let index = 0; index < count; index++) cache.add(`/s${index}`);
    writeCachedValidators();
    expect(entryOf().entry.parts.map(([, pointers]) => pointers.length)).toEqual([PART_SCHEMAS, PART_SCHEMAS, 52]);
    const again = new ValidatorCache(store(), ['burst'], part);
    expect(again.load(`/s${count - 1}`)?.(1)).toBe(true);
    expect(again.load('/s0')?.(1)).toBe(true);
  });

  it('code that does not parse, or exports no validator, is a miss with a warning', () => {
    const cache = new ValidatorCache(store(), ['broken'], (pointers) =>
      pointers[0] === '/syntax' ? part(pointers).replace('return', 'return return') : 'exports.v0 = 42;',
    );
    cache.add('/syntax');
    cache.write();
    cache.add('/number');
    cache.write();
    const again = new ValidatorCache(store(), ['broken'], part);
    expect(again.load('/syntax')).toBeUndefined();
    expect(again.load('/number')).toBeUndefined();
    expect(warnings).toHaveLength(2);
  });

  it('an entry under another key (a foreign entry) is not read', () => {
    const one = new ValidatorCache(store(), ['one'], part);
    one.add('/a');
    writeCachedValidators();
    const { key } = entryOf();
    const entry = readFileSync(path.join(cacheDir, `${key}.blob`));
    rmSync(cacheDir, { recursive: true });
    // The same bytes filed under the key of another document.
    const other = new ValidatorCache(store(), ['two'], part);
    other.add('/b');
    other.write();
    const otherKey = entryOf().key;
    store().put(otherKey, entry);
    expect(new ValidatorCache(store(), ['two'], part).load('/a')).toBeUndefined();
    expect(warnings.join('\n')).toMatch(/is not the entry its name says/);
  });

  it('parts past the bound go, oldest first, their blobs with them; what they held is a miss', () => {
    const cache = new ValidatorCache(store(), ['many'], part);
    for (let index = 0; index < 40; index++) {
      cache.add(`/s${index}`);
      cache.write();
    }
    expect(blobs()).toHaveLength(32 + 1);
    const again = new ValidatorCache(store(), ['many'], part);
    expect(again.load('/s0')).toBeUndefined();
    expect(again.load('/s7')).toBeUndefined();
    expect(again.load('/s8')?.(1)).toBe(true);
    expect(again.load('/s39')?.(1)).toBe(true);
    expect(warnings).toEqual([]);
  });
});
