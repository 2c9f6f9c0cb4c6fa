/** The cache's blob store, as the caller's options and the environment configure it. */
import { createRequire } from 'node:module';
import { cacheDirectory, cacheEnabled } from './location.js';
import { BlobStore } from './store.js';

export const DEFAULT_CACHE_MAX_BYTES = 256 * 1024 * 1024;

export interface SpecCacheOptions {
  /** Default: `PARLEY_CACHE_DIR`, else `node_modules/.cache/parley` at or above the working directory, else `~/.cache/parley`. */
  dir?: string;
  /** Bound of the whole cache in bytes (default `PARLEY_CACHE_MAX_BYTES`, else 256 MiB). */
  maxBytes?: number;
  /** Where problems with the cache are told (default: standard error). The work goes on without it. */
  warn?: (message: string) => void;
}

/**
 * The store the spec and validator caches share (one directory, one bound), or undefined when the
 * cache is off: `options === false` (`--no-cache`), or `PARLEY_CACHE=0`.
 */
export function openCacheStore(
  options: SpecCacheOptions | false = {},
  /** Names the cache in its warnings: "spec cache", "validator cache". */
  name = 'cache',
): BlobStore | undefined {
  if (options === false || !cacheEnabled()) return undefined;
  const warn = options.warn ?? ((message: string) => process.stderr.write(`parley: ${name}: ${message}\n`));
  return new BlobStore({
    dir: options.dir ?? cacheDirectory(),
    maxBytes: options.maxBytes ?? maxBytesFromEnvironment(warn),
    warn,
  });
}

function maxBytesFromEnvironment(warn: (message: string) => void): number {
  const setting = process.env.PARLEY_CACHE_MAX_BYTES;
  if (setting === undefined || setting === '') return DEFAULT_CACHE_MAX_BYTES;
  const bytes = Number(setting);
  if (Number.isSafeInteger(bytes) && bytes >= 0) return bytes;
  warn(`PARLEY_CACHE_MAX_BYTES=${JSON.stringify(setting)} is not a number of bytes; using ${DEFAULT_CACHE_MAX_BYTES}`);
  return DEFAULT_CACHE_MAX_BYTES;
}

const require = createRequire(import.meta.url);

/** "name@version" of each package, for cache keys: an entry made by other versions of them is not used. */
export function packageVersions(names: readonly string[]): string[] {
  return names.map((name) => {
    try {
      return `${name}@${String((require(`${name}/package.json`) as { version?: unknown }).version)}`;
    } catch {
      return `${name}@unknown`;
    }
  });
}
