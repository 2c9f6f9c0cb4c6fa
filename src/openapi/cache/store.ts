/**
 * A directory of byte blobs named by hashes, with an index recording each blob's SHA-256, size and
 * last use. What is read back is executed as parley's own data, so it is treated as untrusted: a
 * blob is used only when its bytes hash to what the index says, names are hex hashes only, writes
 * are atomic (temporary file + rename), symbolic links are never followed, and the total size is
 * bounded in bytes (least recently used blobs go first). Any failure is a warning and a miss, never
 * a crash. File system calls are synchronous so that one process's index updates cannot interleave.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';

const INDEX_FILE = 'index.json';
const INDEX_FORMAT = 1;
/** The index holds a few hundred bytes per entry; anything far larger is not ours. */
const MAX_INDEX_BYTES = 4 * 1024 * 1024;
/** Temporary files and unindexed blobs older than this are left over from a crash or a lost race. */
const STALE_MS = 60 * 60 * 1000;
const KEY = /^[0-9a-f]{64}$/;
/** Entries kept at most, whatever their size, so that the index itself stays small. */
const MAX_ENTRIES = 10_000;

interface IndexEntry {
  sha256: string;
  bytes: number;
  usedAt: number;
}

export interface BlobStoreOptions {
  dir: string;
  /** Upper bound of all blobs together, in bytes. */
  maxBytes: number;
  warn: (message: string) => void;
}

export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export class BlobStore {
  constructor(private readonly options: BlobStoreOptions) {}

  /**
   * Why nobody but this user can have written what the directory holds, or undefined when that is
   * not so: it must be this user's, a real directory (no link), and writable by no group or other
   * user. A directory not made yet counts as private: it is made with mode 0700. (Where there are no
   * user ids, on Windows, it counts as private too.)
   */
  whyNotPrivate(): string | undefined {
    const uid = process.getuid?.();
    if (uid === undefined) return undefined;
    try {
      const stat = lstatSync(this.options.dir);
      if (!stat.isDirectory()) return `${this.options.dir} is not a directory`;
      if (stat.uid !== uid) return `${this.options.dir} belongs to another user`;
      if ((stat.mode & 0o022) !== 0) return `${this.options.dir} is writable by others`;
      return undefined;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'ENOENT' ? undefined : (error as Error).message;
    }
  }

  /** Tells a problem with the cache where its owner wants it told. */
  warn(message: string): void {
    this.options.warn(message);
  }

  /** The blob stored under `key` (a hex SHA-256), or undefined when absent or not intact. */
  get(key: string): Buffer | undefined {
    if (!KEY.test(key)) return undefined;
    try {
      const index = this.readIndex();
      const entry = index.get(key);
      if (!entry) return undefined;
      let damage: string | undefined;
      let data: Buffer | undefined;
      try {
        data = this.readFile(blobFile(key), entry.bytes);
        if (data !== undefined && (data.length !== entry.bytes || sha256(data) !== entry.sha256))
          damage = 'its size or hash differs from the index';
      } catch (error) {
        damage = (error as Error).message;
      }
      if (data === undefined || damage !== undefined) {
        // Gone (evicted by another process) is a plain miss; anything else is said.
        if (damage !== undefined) this.options.warn(`entry ${key.slice(0, 12)} is damaged (${damage}); rebuilding it`);
        index.delete(key);
        this.remove(key);
        this.writeIndex(index);
        return undefined;
      }
      entry.usedAt = Date.now();
      this.writeIndex(index);
      return data;
    } catch (error) {
      this.options.warn(`not read (${(error as Error).message})`);
      return undefined;
    }
  }

  /** Stores `data` under `key`, then evicts least recently used blobs until the total fits. */
  put(key: string, data: Buffer): void {
    if (!KEY.test(key)) throw new Error(`not a cache key: ${key}`);
    if (data.length > this.options.maxBytes) return;
    try {
      mkdirSync(this.options.dir, { recursive: true, mode: 0o700 });
      this.writeAtomically(blobFile(key), data);
      const index = this.readIndex();
      index.set(key, { sha256: sha256(data), bytes: data.length, usedAt: Date.now() });
      this.evict(index);
      this.writeIndex(index);
      this.sweep(index);
    } catch (error) {
      this.options.warn(`not written (${(error as Error).message})`);
    }
  }

  /** Removes the blob stored under `key`, if there is one. */
  delete(key: string): void {
    if (!KEY.test(key)) return;
    try {
      const index = this.readIndex();
      if (index.delete(key)) this.writeIndex(index);
      this.remove(key);
    } catch (error) {
      this.options.warn(`not removed (${(error as Error).message})`);
    }
  }

  private evict(index: Map<string, IndexEntry>): void {
    let total = 0;
    for (const entry of index.values()) total += entry.bytes;
    const oldestFirst = [...index].sort(([, a], [, b]) => a.usedAt - b.usedAt);
    for (const [key, entry] of oldestFirst) {
      if (total <= this.options.maxBytes && index.size <= MAX_ENTRIES) break;
      index.delete(key);
      this.remove(key);
      total -= entry.bytes;
    }
  }

  /** Removes leftovers: temporary files of crashed writers and blobs no index names. */
  private sweep(index: Map<string, IndexEntry>): void {
    const now = Date.now();
    for (const name of readdirSync(this.options.dir)) {
      const indexed = name.endsWith('.blob') && index.has(name.slice(0, -'.blob'.length));
      if (indexed || !(name.startsWith('tmp-') || name.endsWith('.blob'))) continue;
      const file = path.join(this.options.dir, name);
      try {
        if (now - lstatSync(file).mtimeMs > STALE_MS) unlinkSync(file);
      } catch {
        // Another process removed it first.
      }
    }
  }

  private readIndex(): Map<string, IndexEntry> {
    const index = new Map<string, IndexEntry>();
    let parsed: unknown;
    try {
      const data = this.readFile(INDEX_FILE, MAX_INDEX_BYTES);
      if (data === undefined) return index;
      parsed = JSON.parse(data.toString('utf8'));
    } catch (error) {
      this.options.warn(`index is unreadable (${(error as Error).message}); starting a new one`);
      return index;
    }
    const { format, entries } = (parsed ?? {}) as { format?: unknown; entries?: unknown };
    if (format !== INDEX_FORMAT || !Array.isArray(entries)) {
      this.options.warn('index is of another format; starting a new one');
      return index;
    }
    for (const item of entries) {
      const [key, entry] = Array.isArray(item) ? item : [];
      if (typeof key === 'string' && KEY.test(key) && isIndexEntry(entry)) index.set(key, entry);
    }
    return index;
  }

  private writeIndex(index: Map<string, IndexEntry>): void {
    this.writeAtomically(INDEX_FILE, Buffer.from(JSON.stringify({ format: INDEX_FORMAT, entries: [...index] })));
  }

  /**
   * A regular file of the cache directory, or undefined when there is none; a symbolic link is
   * never followed (and said), a file longer than `limit` bytes is an error.
   */
  private readFile(name: string, limit: number): Buffer | undefined {
    let fd: number;
    try {
      fd = openSync(path.join(this.options.dir, name), constants.O_RDONLY | constants.O_NOFOLLOW);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return undefined;
      if (code === 'ELOOP') {
        this.options.warn(`${name} is a symbolic link; ignored`);
        return undefined;
      }
      throw error;
    }
    try {
      const stat = fstatSync(fd);
      if (!stat.isFile()) throw new Error(`${name} is not a regular file`);
      if (stat.size > limit) throw new Error(`${name} is longer than ${limit} bytes`);
      const data = Buffer.allocUnsafe(stat.size);
      let read = 0;
      while (read < data.length) {
        const n = readSync(fd, data, read, data.length - read, read);
        if (n === 0) break;
        read += n;
      }
      return data.subarray(0, read);
    } finally {
      closeSync(fd);
    }
  }

  private writeAtomically(name: string, data: Buffer): void {
    const temporary = path.join(this.options.dir, `tmp-${randomBytes(8).toString('hex')}`);
    // 'wx' creates a new file and fails on anything already there, a planted link included.
    writeFileSync(temporary, data, { flag: 'wx', mode: 0o600 });
    try {
      renameSync(temporary, path.join(this.options.dir, name));
    } catch (error) {
      unlinkSync(temporary);
      throw error;
    }
  }

  private remove(key: string): void {
    try {
      unlinkSync(path.join(this.options.dir, blobFile(key)));
    } catch {
      // Already gone.
    }
  }
}

function blobFile(key: string): string {
  return `${key}.blob`;
}

function isIndexEntry(value: unknown): value is IndexEntry {
  const entry = value as IndexEntry;
  return (
    typeof entry === 'object' &&
    entry !== null &&
    typeof entry.sha256 === 'string' &&
    KEY.test(entry.sha256) &&
    Number.isSafeInteger(entry.bytes) &&
    entry.bytes >= 0 &&
    Number.isFinite(entry.usedAt)
  );
}
