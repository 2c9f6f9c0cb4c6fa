/**
 * The on-disk cache of loaded specs: the bundled and dereferenced documents of a spec file, keyed by
 * the file's path and content, parley's version and the versions of the libraries that produced and
 * read them. A hit skips swagger-parser's parse, validation and dereferencing (most of a load); the
 * entry also lists every file the spec's `$ref`s pulled in, with their hashes, and is used only
 * while they are all unchanged.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PARLEY_VERSION } from '../../version.js';
import type { JsonObject } from '../json-value.js';
import { decodeGraph, encodeGraph } from './graph.js';
import { openCacheStore, packageVersions, type SpecCacheOptions } from './open.js';
import { type BlobStore, sha256 } from './store.js';

/** Bumped whenever what an entry holds, or how it is encoded, changes. */
const ENTRY_FORMAT = 2;

const LIBRARY_VERSIONS = packageVersions(['ajv', '@apidevtools/swagger-parser', '@apidevtools/json-schema-ref-parser']);

/** What a load produces and the cache keeps. */
export interface LoadedDocuments {
  bundled: JsonObject;
  dereferenced: JsonObject;
  /** Every local file the spec was read from, the spec file itself included. */
  files: string[];
}

interface Entry {
  format: number;
  key: string;
  files: [file: string, sha256: string][];
  graph: unknown;
}

/**
 * The spec's documents from the cache when an intact entry for this exact content exists, else from
 * `load` (then stored). `options === false`, or `PARLEY_CACHE=0`, bypasses the cache entirely.
 */
export async function cachedLoad(
  file: string,
  load: () => Promise<LoadedDocuments>,
  options: SpecCacheOptions | false = {},
): Promise<LoadedDocuments & { fromCache: boolean }> {
  const store = openCacheStore(options, 'spec cache');
  if (!store) return { ...(await load()), fromCache: false };
  const absolute = path.resolve(file);
  const contentHash = hashOfFile(absolute);
  // Unreadable: let the loader report it in its own words.
  if (contentHash === undefined) return { ...(await load()), fromCache: false };
  const key = sha256(JSON.stringify([ENTRY_FORMAT, PARLEY_VERSION, LIBRARY_VERSIONS, absolute, contentHash]));

  const hit = readEntry(store, key);
  if (hit) return { ...hit, fromCache: true };

  const loaded = await load();
  const files = loaded.files.map((name): [string, string] | undefined => {
    const hash = hashOfFile(name);
    return hash === undefined ? undefined : [name, hash];
  });
  // A spec that read something other than local files (a URL) cannot be checked for changes.
  if (files.every((item) => item !== undefined) && files.some(([name]) => name === absolute)) {
    const entry: Entry = {
      format: ENTRY_FORMAT,
      key,
      files: files as [string, string][],
      graph: encodeGraph([loaded.bundled, loaded.dereferenced]),
    };
    store.put(key, Buffer.from(JSON.stringify(entry)));
  }
  return { ...loaded, fromCache: false };
}

function readEntry(store: BlobStore, key: string): LoadedDocuments | undefined {
  const data = store.get(key);
  if (data === undefined) return undefined;
  try {
    const entry = JSON.parse(data.toString('utf8')) as Entry;
    if (entry.format !== ENTRY_FORMAT || entry.key !== key || !Array.isArray(entry.files)) {
      store.warn(`entry ${key.slice(0, 12)} is not the one its name says; rebuilding it`);
      return undefined;
    }
    // A $ref'd file that changed since makes the entry stale: rebuilt (and replaced) by the caller.
    for (const [name, hash] of entry.files) if (hashOfFile(name) !== hash) return undefined;
    const [bundled, dereferenced] = decodeGraph(entry.graph) as [JsonObject, JsonObject];
    return { bundled, dereferenced, files: entry.files.map(([name]) => name) };
  } catch (error) {
    store.warn(`entry ${key.slice(0, 12)} could not be read (${(error as Error).message}); rebuilding it`);
    return undefined;
  }
}

function hashOfFile(file: string): string | undefined {
  try {
    return sha256(readFileSync(file));
  } catch {
    return undefined;
  }
}
