/**
 * The state file's format (`--state-file`): reading it into a store, writing a snapshot of one, and
 * the journal batches appended between snapshots. `state-persistence.ts` decides when each happens.
 *
 * JSON Lines, written and read one line at a time, so a store near its record cap never has to
 * become a single string. The file is a snapshot followed by journal batches:
 *
 *   {"format":"parley-state","version":2,…}     header: clock offset and fixtures
 *   {"record":[tenant,collection,id,{…}]}       one line per record…
 *   {"index":[tenant,key,id]}                   …and per get-or-create index entry
 *   {"end":{"records":n,"indexes":m,"crc32":c}} the snapshot is complete
 *   {"reset":tenant|null} {"record":…} {"deleted":[tenant,collection,id]} {"index":…}
 *   {"unindexed":[tenant,key]} {"clock":ms} {"fixtures":{…}}
 *   {"commit":{"lines":k,"crc32":c}}            a journal batch is complete
 *
 * A snapshot is only ever written to a temporary file and renamed into place, so one without its end
 * marker is damage (reported, never loaded). A batch is appended in place; the process may die in
 * the middle of one, so a last batch without its commit line is an unfinished save: it is dropped
 * and the file is cut back to the last commit. Everything else unexpected is reported as corruption.
 *
 * `crc32` is the CRC-32 of the bytes since the previous end marker or commit line (from the file's
 * start for the snapshot). It vouches for every byte the writer wrote, so record lines are not
 * parsed at load: each record is kept as its JSON text until first read (version 3; version 1 and 2
 * files, without checksums, are parsed line by line and rewritten at start).
 */
import { randomBytes } from 'node:crypto';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { isPlainObject } from '../openapi/json-value.js';
import { parseFixtures, type FixtureData } from './fixtures.js';
import { SlicedWriter, type StateFileHandle, type StateFileSystem } from './state-io.js';
import { LineReader, type LineView } from './state-lines.js';
import { type HeldRecord, RecordTooLargeError, type Store, type StoredRecord } from './store.js';

export interface PersistedState {
  /** The store the file was read into. */
  store: Store;
  fixtures: FixtureData;
  clockOffsetMs: number;
}

/** Where the file stands after loading: what the journal appends to and when it is worth compacting. */
export interface LoadedFile {
  state: PersistedState;
  /** Record and deletion lines in the file: compared with the records held, how much of it is outdated. */
  recordLines: number;
  /** Bytes up to the last complete journal batch; anything after is an unfinished save. */
  validBytes: number;
  /** Bytes of an unfinished last batch that were left out. */
  unfinishedBytes: number;
  /** The format version it was written in; only the current one is appended to. */
  version: number;
}

const FORMAT = 'parley-state';
/** Version 1 files (a snapshot, no journal) and version 2 ones (no checksums) are still read. */
export const VERSION = 3;
const READABLE_VERSIONS = new Set([1, 2, 3]);
/** The first version whose end markers and commit lines carry checksums. */
const CHECKSUMMED = 3;
/** A longer line is damage, not a record: V8 strings top out near 512 MiB. */
const MAX_LINE_BYTES = 256 * 1024 * 1024;
const READ_CHUNK_BYTES = 1024 * 1024;

interface Header {
  format: typeof FORMAT;
  version: number;
  savedAt: string;
  clockOffsetMs: number;
  fixtures: FixtureData;
}

/** A state file that cannot be read or written; the message names the file and the problem. */
export class StateFileError extends Error {
  override name = 'StateFileError';
  constructor(
    readonly file: string,
    problem: string,
    options?: ErrorOptions,
  ) {
    super(`state file ${file}: ${problem}`, options);
  }
}

// ---------------------------------------------------------------------------------------------
// Reading

/**
 * Reads a state file into `store` (empty before); a missing file is no state yet (undefined),
 * anything unreadable throws a StateFileError.
 */
export async function loadStateFile(file: string, store: Store): Promise<LoadedFile | undefined> {
  const reader = new LineReader(
    file,
    MAX_LINE_BYTES,
    (offset) =>
      new StateFileError(file, `has a line longer than ${MAX_LINE_BYTES} bytes after byte ${offset}; it is damaged`),
  );
  const parser = new StateFileParser(file, store, reader);
  let unfinished: number;
  try {
    // Everything after the last complete batch is an unfinished save: found first, so batches can be applied as they are read.
    const { size, complete } = await completeLength(file);
    unfinished = (await store.loadInBulk(() => reader.read(complete, (line) => parser.line(line)))) + size - complete;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    if (error instanceof StateFileError) throw error;
    throw new StateFileError(file, `cannot be read (${(error as Error).message})`, { cause: error });
  }
  return parser.finish(unfinished);
}

const BOUNDARIES = [Buffer.from('\n{"commit":'), Buffer.from('\n{"end":')];
/** Commit lines and end markers are shorter than this. */
const BOUNDARY_LINE_BYTES = 256;

/**
 * The file's size, and where its last complete commit line (or, with no batch after it, the
 * snapshot's end marker) ends: read backwards from the end, so only an unfinished batch is scanned.
 * A newline inside a JSON string is escaped, so `\n{"commit":` can only start a line. Without either,
 * the whole file (a damaged one: the parser says how).
 */
async function completeLength(file: string): Promise<{ size: number; complete: number }> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    const buffer = Buffer.alloc(READ_CHUNK_BYTES + BOUNDARY_LINE_BYTES);
    for (let to = size; to > 0; ) {
      // Boundaries starting before `to`, read with the line that follows them.
      const from = Math.max(0, to - READ_CHUNK_BYTES);
      const { bytesRead } = await handle.read(buffer, 0, Math.min(size, to + BOUNDARY_LINE_BYTES) - from, from);
      const window = buffer.subarray(0, bytesRead);
      for (let before = to - from - 1; before >= 0; ) {
        const at = Math.max(...BOUNDARIES.map((boundary) => window.lastIndexOf(boundary, before)));
        if (at === -1) break;
        const lineEnd = window.indexOf(10, at + 1);
        if (lineEnd !== -1) return { size, complete: from + lineEnd + 1 };
        // That line is itself unfinished: look before it.
        before = at - 1;
      }
      to = from;
    }
    return { size, complete: size };
  } finally {
    await handle.close();
  }
}

type JournalLine =
  | { reset: string | null }
  | { record: [string, string, string, StoredRecord] }
  | { deleted: [string, string, string] }
  | { index: [string, string, string] }
  | { unindexed: [string, string] }
  | { clock: number }
  | { fixtures: unknown };

class StateFileParser {
  private number = 0;
  private phase: 'header' | 'snapshot' | 'journal' = 'header';
  private version = VERSION;
  private records = 0;
  private indexes = 0;
  private fixtures: FixtureData = {};
  private clockOffsetMs = 0;
  private recordLines = 0;
  private validBytes = 0;
  private lastLineEnd = 0;
  /** Lines of the journal batch being read, to check against its commit line. */
  private batchLines = 0;
  private lastTenant = '';
  private lastCollection = '';
  /**
   * The bytes of the last record line up to its id, `{"record":["tenant","collection",`: most lines
   * start with the same ones, and then their names are the last line's without reading them again.
   */
  private lastNames = Buffer.alloc(0);

  constructor(
    private readonly file: string,
    private readonly store: Store,
    private readonly reader: LineReader,
  ) {}

  line(line: LineView): void {
    this.number++;
    this.lastLineEnd = line.fileEnd;
    try {
      if (!(this.version >= CHECKSUMMED && this.phase !== 'header' && this.heldRecord(line)))
        this.parse(this.reader.copy(line.start, line.end), line);
    } catch (error) {
      if (!(error instanceof RecordTooLargeError)) throw error;
      throw new StateFileError(
        this.file,
        `line ${this.number} holds a record of ${error.bytes} bytes, over the limit of ${error.limit} bytes per record; start with a larger --max-record-size`,
      );
    }
  }

  /**
   * A record line of a checksummed file, stored as its record's JSON text without parsing it; false
   * for anything else (or a name with escapes in it), which is parsed as JSON.
   */
  private heldRecord({ bytes, start, end }: LineView): boolean {
    const namesEnd = this.sameNamesEnd(bytes, start, end) ?? this.readNames(bytes, start, end);
    if (namesEnd === -1) return false;
    const idEnd = plainStringEnd(bytes, namesEnd, end);
    const recordStart = idEnd + 1;
    if (
      idEnd === -1 ||
      bytes[idEnd] !== COMMA ||
      bytes[recordStart] !== OPEN_BRACE ||
      bytes[end - 3] !== CLOSE_BRACE ||
      bytes[end - 2] !== CLOSE_BRACKET ||
      bytes[end - 1] !== CLOSE_BRACE ||
      recordStart > end - 3
    )
      return false;
    const id = this.reader.copy(namesEnd + 1, idEnd - 1);
    this.store.put(this.lastTenant, this.lastCollection, id, this.reader.text(recordStart, end - 2));
    if (this.phase === 'snapshot') this.records++;
    else {
      this.recordLines++;
      this.batchLines++;
    }
    return true;
  }

  /** Where the id starts when the line names the last record line's tenant and collection (a compare of bytes, no strings made). */
  private sameNamesEnd(bytes: Buffer, start: number, end: number): number | undefined {
    const length = this.lastNames.length;
    if (length === 0 || start + length > end) return undefined;
    return bytes.compare(this.lastNames, 0, length, start, start + length) === 0 ? start + length : undefined;
  }

  /** Reads the line's tenant and collection, for this line and the next ones; where the id starts, or -1 for a line to parse. */
  private readNames(bytes: Buffer, start: number, end: number): number {
    if (bytes.compare(RECORD_PREFIX, 0, RECORD_PREFIX.length, start, start + RECORD_PREFIX.length) !== 0) return -1;
    const tenantEnd = plainStringEnd(bytes, start + RECORD_PREFIX.length - 1, end);
    if (tenantEnd === -1 || bytes[tenantEnd] !== COMMA) return -1;
    const collectionEnd = plainStringEnd(bytes, tenantEnd + 1, end);
    if (collectionEnd === -1 || bytes[collectionEnd] !== COMMA) return -1;
    this.lastTenant = this.reader.copy(start + RECORD_PREFIX.length, tenantEnd - 1);
    this.lastCollection = this.reader.copy(tenantEnd + 2, collectionEnd - 1);
    // A copy: `bytes` is the reader's buffer, read into again.
    this.lastNames = Buffer.from(bytes.subarray(start, collectionEnd + 1));
    return collectionEnd + 1;
  }

  private parse(text: string, view: LineView): void {
    const end = view.fileEnd;
    let line: unknown;
    try {
      line = JSON.parse(text);
    } catch (error) {
      if (this.phase === 'header')
        throw new StateFileError(
          this.file,
          `is not a parley state file (line 1 is not JSON: ${(error as Error).message})`,
        );
      throw this.corrupt(`not valid JSON (${(error as Error).message})`);
    }
    if (this.phase === 'header') {
      this.readHeader(line);
      this.phase = 'snapshot';
    } else if (this.phase === 'snapshot') {
      this.snapshotLine(line, view, text.length);
    } else {
      this.journalLine(line, view, text.length);
    }
  }

  finish(unfinishedLineBytes: number): LoadedFile {
    if (this.number === 0 && unfinishedLineBytes === 0) {
      throw new StateFileError(
        this.file,
        'is empty; a parley state file starts with a header line (fix or remove the file)',
      );
    }
    if (this.phase !== 'journal') {
      if (this.number === 0)
        throw new StateFileError(this.file, 'is not a parley state file (it has no complete first line)');
      throw this.corrupt('the file ends without its end marker, so it was cut short');
    }
    return {
      state: { store: this.store, fixtures: this.fixtures, clockOffsetMs: this.clockOffsetMs },
      recordLines: this.recordLines,
      validBytes: this.validBytes,
      unfinishedBytes: this.lastLineEnd + unfinishedLineBytes - this.validBytes,
      version: this.version,
    };
  }

  private readHeader(line: unknown): void {
    const header = line as Partial<Header> | null;
    if (!isPlainObject(header) || header.format !== FORMAT) {
      throw new StateFileError(this.file, `is not a parley state file (its first line has no "format": "${FORMAT}")`);
    }
    if (typeof header.version !== 'number' || !READABLE_VERSIONS.has(header.version)) {
      throw new StateFileError(
        this.file,
        `has format version ${JSON.stringify(header.version)}; this parley reads versions ${[...READABLE_VERSIONS].join(' and ')}`,
      );
    }
    this.version = header.version;
    this.clockOffsetMs = this.checkClock(header.clockOffsetMs);
    this.fixtures = this.checkFixtures(header.fixtures ?? {});
  }

  private snapshotLine(line: unknown, view: LineView, length: number): void {
    if (isRecordLine(line)) {
      const [tenant, collection, id, record] = line.record;
      this.store.put(tenant, collection, id, record, recordJsonLength(length, tenant, collection, id));
      this.records++;
    } else if (isIndexLine(line)) {
      const [tenant, key, id] = line.index;
      this.store.remember(tenant, key, id);
      this.indexes++;
    } else if (isEndLine(line)) {
      if (line.end.records !== this.records || line.end.indexes !== this.indexes) {
        throw this.corrupt(
          `the end marker counts ${line.end.records} records and ${line.end.indexes} index entries, the file has ${this.records} and ${this.indexes}`,
        );
      }
      this.checkChecksum(line.end.crc32, view, 'snapshot');
      this.store.enforceLimits();
      this.phase = 'journal';
      this.recordLines = this.records;
      this.validBytes = view.fileEnd;
    } else {
      throw this.corrupt('not a record, an index entry or the end marker');
    }
  }

  /** Only complete batches are read (see `completeLength`), so each line is applied as it comes. */
  private journalLine(line: unknown, view: LineView, length: number): void {
    if (this.version === 1) throw this.corrupt('there is data after the end marker');
    if (isRecordLine(line)) {
      const [tenant, collection, id, record] = line.record;
      this.store.put(tenant, collection, id, record, recordJsonLength(length, tenant, collection, id));
      this.recordLines++;
    } else if (isPlainObject(line) && isPlainObject(line.commit)) {
      if (line.commit.lines !== this.batchLines) {
        throw this.corrupt(
          `the commit counts ${JSON.stringify(line.commit.lines)} lines, its batch has ${this.batchLines}`,
        );
      }
      this.checkChecksum(line.commit.crc32, view, 'journal batch');
      // The batch is whole: now the records it leaves over a limit are the oldest ones (see Store.loadInBulk).
      this.store.enforceLimits();
      this.batchLines = 0;
      this.validBytes = view.fileEnd;
      return;
    } else if (isJournalLine(line)) {
      this.apply(line as Exclude<JournalLine, { record: unknown }>);
    } else {
      throw this.corrupt('not a journal entry');
    }
    this.batchLines++;
  }

  private apply(change: Exclude<JournalLine, { record: unknown }>): void {
    const store = this.store;
    if ('deleted' in change) {
      store.delete(...change.deleted);
      this.recordLines++;
    } else if ('index' in change) store.remember(...change.index);
    else if ('unindexed' in change) store.forget(...change.unindexed);
    else if ('reset' in change) store.reset(change.reset ?? undefined);
    else if ('clock' in change) this.clockOffsetMs = this.checkClock(change.clock);
    else this.fixtures = this.checkFixtures(change.fixtures);
  }

  /** In a checksummed file, the bytes since the last end marker or commit line must be the ones written. */
  private checkChecksum(written: unknown, { start, end }: LineView, what: string): void {
    if (this.version < CHECKSUMMED) return;
    if (typeof written !== 'number') throw this.corrupt(`the ${what} has no checksum`);
    if (this.reader.checksumBefore(start) !== written) {
      throw this.corrupt(
        `the ${what} ending here does not match its checksum: its bytes were changed after they were written`,
      );
    }
    this.reader.restartChecksum(end + 1);
  }

  private checkClock(value: unknown): number {
    if (typeof value !== 'number' || !Number.isFinite(value)) throw this.corrupt('the clock offset is not a number');
    return value;
  }

  private checkFixtures(value: unknown): FixtureData {
    try {
      return parseFixtures(value) as FixtureData;
    } catch (error) {
      throw this.corrupt(`fixtures: ${(error as Error).message}`);
    }
  }

  private corrupt(problem: string): StateFileError {
    return new StateFileError(
      this.file,
      `is corrupt at line ${this.number}: ${problem}; fix or remove the file (it is left as it is)`,
    );
  }
}

/** The length of the record's own JSON within a record line, `{"record":["t","c","id",{…}]}`, without serialising it again (escapes aside). */
function recordJsonLength(lineLength: number, tenant: string, collection: string, id: string): number {
  return Math.max(2, lineLength - tenant.length - collection.length - id.length - 22);
}

const RECORD_PREFIX = Buffer.from('{"record":["');
const [QUOTE, BACKSLASH, COMMA, OPEN_BRACE, CLOSE_BRACE, CLOSE_BRACKET] = [0x22, 0x5c, 0x2c, 0x7b, 0x7d, 0x5d];

/**
 * The offset just past the JSON string whose opening quote is at `at`, when it has no escapes (names
 * written by parley rarely do; a line with one is parsed the slow way); -1 otherwise.
 */
function plainStringEnd(bytes: Buffer, at: number, end: number): number {
  if (bytes[at] !== QUOTE) return -1;
  for (let index = at + 1; index < end; index++) {
    const byte = bytes[index]!;
    if (byte === QUOTE) return index + 1;
    if (byte === BACKSLASH || byte < 0x20) return -1;
  }
  return -1;
}

const areStrings = (values: unknown[], count: number) =>
  values.length === count && values.every((value) => typeof value === 'string');

function isRecordLine(line: unknown): line is { record: [string, string, string, StoredRecord] } {
  const entry = isPlainObject(line) ? line.record : undefined;
  return (
    Array.isArray(entry) &&
    entry.length === 4 &&
    typeof entry[0] === 'string' &&
    typeof entry[1] === 'string' &&
    typeof entry[2] === 'string' &&
    isPlainObject(entry[3])
  );
}

function isIndexLine(line: unknown): line is { index: [string, string, string] } {
  const entry = isPlainObject(line) ? line.index : undefined;
  return Array.isArray(entry) && areStrings(entry, 3);
}

function isEndLine(line: unknown): line is { end: { records: number; indexes: number; crc32?: unknown } } {
  const end = isPlainObject(line) ? line.end : undefined;
  return isPlainObject(end) && typeof end.records === 'number' && typeof end.indexes === 'number';
}

function isJournalLine(line: unknown): line is JournalLine {
  if (!isPlainObject(line)) return false;
  if (isRecordLine(line) || isIndexLine(line)) return true;
  if ('reset' in line) return line.reset === null || typeof line.reset === 'string';
  if ('deleted' in line) return Array.isArray(line.deleted) && areStrings(line.deleted, 3);
  if ('unindexed' in line) return Array.isArray(line.unindexed) && areStrings(line.unindexed, 2);
  return 'clock' in line || 'fixtures' in line;
}

// ---------------------------------------------------------------------------------------------
// Writing

/**
 * The start of a record line, `{"record":["tenant","collection",`: made once for the records of one
 * collection (see `recordLineIn`).
 */
export const recordLinePrefix = (tenant: string, collection: string) =>
  `{"record":[${JSON.stringify(tenant)},${JSON.stringify(collection)},`;
/** A record held as text is copied as it is: serialising a record is most of what a save costs. */
export const recordLineIn = (prefix: string, id: string, record: HeldRecord) =>
  `${prefix}${JSON.stringify(id)},${typeof record === 'string' ? record : JSON.stringify(record)}]}`;
export const deletedLine = (tenant: string, collection: string, id: string) =>
  JSON.stringify({ deleted: [tenant, collection, id] });
export const indexLine = (tenant: string, key: string, id: string) => JSON.stringify({ index: [tenant, key, id] });
export const unindexedLine = (tenant: string, key: string) => JSON.stringify({ unindexed: [tenant, key] });
export const resetLine = (tenant: string | undefined) => JSON.stringify({ reset: tenant ?? null });
export const clockLine = (offsetMs: number) => JSON.stringify({ clock: offsetMs });
export const fixturesLine = (fixturesJson: string) => `{"fixtures":${fixturesJson}}`;
export const commitLine = (lines: number) => (crc: number) => JSON.stringify({ commit: { lines, crc32: crc } });

/** Temporary snapshots are named after the file, so the next start can find and remove orphans. */
export function temporaryNameFor(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
}

export function isTemporaryNameOf(file: string, name: string): boolean {
  const prefix = `.${path.basename(file)}.`;
  return name.startsWith(prefix) && /^\d+-[0-9a-f]{8}\.tmp$/.test(name.slice(prefix.length));
}

export interface SnapshotSource {
  store: Store;
  clockOffsetMs: number;
  fixturesJson: string;
  /** Only the records stored before this rank (`Store.nextRank`), when the batches after the snapshot hold the rest. */
  storedBefore?: number;
}

/**
 * A snapshot being written: to a temporary file next to the state file (mode 0600: tenants are API
 * keys), in slices between requests, then fsynced and renamed into place by `install()`. The store
 * keeps changing while it is written; what changed meanwhile can be appended as a journal batch
 * through `writer` before the rename, so the file is complete the moment it appears.
 * Until then the old file is untouched; `abandon()` removes the temporary file.
 */
export class PendingSnapshot {
  private constructor(
    private readonly fs: StateFileSystem,
    readonly file: string,
    private readonly temporary: string,
    private readonly handle: StateFileHandle,
    readonly writer: SlicedWriter,
  ) {}

  static async create(fs: StateFileSystem, file: string, shouldStop?: () => boolean): Promise<PendingSnapshot> {
    const temporary = temporaryNameFor(file);
    const handle = await fs.open(temporary, 'wx', 0o600);
    return new PendingSnapshot(fs, file, temporary, handle, new SlicedWriter(handle, 0, shouldStop));
  }

  /** Header, every record and index entry as they are when reached, and the end marker; resolves with the number of records. */
  async writeState({ store, clockOffsetMs, fixturesJson, storedBefore }: SnapshotSource): Promise<number> {
    const writer = this.writer;
    await writer.line(
      `{"format":"${FORMAT}","version":${VERSION},"savedAt":"${new Date().toISOString()}","clockOffsetMs":${JSON.stringify(clockOffsetMs)},"fixtures":${fixturesJson}}`,
    );
    let records = 0;
    let indexes = 0;
    let [lastTenant, lastCollection, prefix] = ['', '', ''];
    for (const [tenant, collection, id, record] of store.records(storedBefore)) {
      records++;
      if (records === 1 || tenant !== lastTenant || collection !== lastCollection)
        [lastTenant, lastCollection, prefix] = [tenant, collection, recordLinePrefix(tenant, collection)];
      const full = writer.line(recordLineIn(prefix, id, record));
      if (full) await full;
    }
    for (const [tenant, key, id] of store.indexEntries(storedBefore)) {
      indexes++;
      const full = writer.line(indexLine(tenant, key, id));
      if (full) await full;
    }
    await writer.seal((crc) => JSON.stringify({ end: { records, indexes, crc32: crc } }));
    await writer.flush();
    return records;
  }

  /** Syncs, closes and renames the file into place; resolves with its size. */
  async install(): Promise<number> {
    await this.writer.flush();
    await this.handle.datasync();
    await this.handle.close();
    await this.fs.rename(this.temporary, this.file);
    await syncDirectory(path.dirname(this.file));
    return this.writer.position;
  }

  async abandon(): Promise<void> {
    await this.handle.close().catch(() => undefined);
    await this.fs.unlink(this.temporary).catch(() => undefined);
  }
}

/** Writes a whole snapshot and renames it into place; resolves with its size and record count. On failure the old file is left as it was. */
export async function writeSnapshot(
  fs: StateFileSystem,
  file: string,
  source: SnapshotSource,
): Promise<{ bytes: number; records: number }> {
  const snapshot = await PendingSnapshot.create(fs, file);
  try {
    const records = await snapshot.writeState(source);
    return { bytes: await snapshot.install(), records };
  } catch (error) {
    await snapshot.abandon();
    throw error;
  }
}

/** Makes a rename durable; not every platform lets a directory be fsynced, so failures are ignored. */
async function syncDirectory(directory: string): Promise<void> {
  try {
    const handle = await open(directory, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Best effort.
  }
}
