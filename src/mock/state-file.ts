/**
 * The mock's state on disk (`--state-file`): loaded on start, saved periodically when something
 * changed and once more on shutdown. A save never leaves a half-written file behind: it writes a
 * temporary file in the same directory, fsyncs it and renames it over the old one.
 *
 * The format is JSON Lines, written and read one record at a time, so a store near its record cap
 * never has to become a single string (V8 caps strings near 512 MiB). A header comes first and an
 * end marker with the counts last: a file cut short is reported as corrupt instead of half loaded.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import readline from 'node:readline';
import { isPlainObject } from '../spec/json-value.js';
import { parseFixtures, type FixtureData } from './fixtures.js';
import { addSnapshotIndex, addSnapshotRecord, emptySnapshot, type StoreSnapshot, type StoredRecord } from './store.js';

export interface PersistedState {
  store: StoreSnapshot;
  fixtures: FixtureData;
  clockOffsetMs: number;
}

const FORMAT = 'parley-state';
const VERSION = 1;
/** Lines are gathered into writes of about this size. */
const WRITE_BATCH_CHARS = 1 << 20;

interface Header {
  format: typeof FORMAT;
  version: number;
  savedAt: string;
  clockOffsetMs: number;
  fixtures: FixtureData;
}
type RecordLine = { record: [tenant: string, collection: string, id: string, record: StoredRecord] };
type IndexLine = { index: [tenant: string, key: string, id: string] };
type EndLine = { end: { records: number; indexes: number } };

/** A state file that cannot be read or written; the message names the file and the problem. */
export class StateFileError extends Error {
  override name = 'StateFileError';
  constructor(readonly file: string, problem: string, options?: ErrorOptions) {
    super(`state file ${file}: ${problem}`, options);
  }
}

/** Reads a state file; a missing file is no state yet (undefined), anything unreadable throws a StateFileError. */
export async function loadStateFile(file: string): Promise<PersistedState | undefined> {
  const stream = createReadStream(file, { encoding: 'utf8' });
  try {
    await new Promise<void>((resolve, reject) => stream.once('open', () => resolve()).once('error', reject));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new StateFileError(file, `cannot be read (${(error as Error).message})`, { cause: error });
  }
  try {
    return await parseLines(file, readline.createInterface({ input: stream, crlfDelay: Infinity }));
  } catch (error) {
    if (error instanceof StateFileError) throw error;
    throw new StateFileError(file, `cannot be read (${(error as Error).message})`, { cause: error });
  } finally {
    stream.destroy();
  }
}

async function parseLines(file: string, lines: AsyncIterable<string>): Promise<PersistedState> {
  const corrupt = (line: number, problem: string) =>
    new StateFileError(file, `is corrupt at line ${line}: ${problem}; fix or remove the file (it is left as it is)`);
  const state: PersistedState = { store: emptySnapshot(), fixtures: {}, clockOffsetMs: 0 };
  let number = 0;
  let records = 0;
  let indexes = 0;
  let ended = false;
  for await (const text of lines) {
    number++;
    if (ended) throw corrupt(number, 'there is data after the end marker');
    let line: unknown;
    try {
      line = JSON.parse(text);
    } catch (error) {
      if (number === 1) throw new StateFileError(file, `is not a parley state file (line 1 is not JSON: ${(error as Error).message})`);
      throw corrupt(number, `not valid JSON (${(error as Error).message})`);
    }
    if (number === 1) {
      Object.assign(state, readHeader(file, line));
    } else if (isRecordLine(line)) {
      const [tenant, collection, id, record] = line.record;
      addSnapshotRecord(state.store, tenant, collection, id, record);
      records++;
    } else if (isIndexLine(line)) {
      const [tenant, key, id] = line.index;
      addSnapshotIndex(state.store, tenant, key, id);
      indexes++;
    } else if (isEndLine(line)) {
      if (line.end.records !== records || line.end.indexes !== indexes) {
        throw corrupt(number, `the end marker counts ${line.end.records} records and ${line.end.indexes} index entries, the file has ${records} and ${indexes}`);
      }
      ended = true;
    } else {
      throw corrupt(number, 'not a record, an index entry or the end marker');
    }
  }
  if (number === 0) throw new StateFileError(file, 'is empty; a parley state file starts with a header line (fix or remove the file)');
  if (!ended) throw corrupt(number, 'the file ends without its end marker, so it was cut short');
  return state;
}

function readHeader(file: string, line: unknown): Omit<PersistedState, 'store'> {
  const header = line as Partial<Header> | null;
  if (!header || typeof header !== 'object' || header.format !== FORMAT) {
    throw new StateFileError(file, `is not a parley state file (its first line has no "format": "${FORMAT}")`);
  }
  if (header.version !== VERSION) {
    throw new StateFileError(file, `has format version ${JSON.stringify(header.version)}; this parley reads version ${VERSION}`);
  }
  if (typeof header.clockOffsetMs !== 'number' || !Number.isFinite(header.clockOffsetMs)) {
    throw new StateFileError(file, 'is corrupt at line 1: "clockOffsetMs" is not a number');
  }
  try {
    return { fixtures: parseFixtures(header.fixtures ?? {}), clockOffsetMs: header.clockOffsetMs };
  } catch (error) {
    throw new StateFileError(file, `is corrupt at line 1: fixtures: ${(error as Error).message}`);
  }
}

const areStrings = (values: unknown[]) => values.every((value) => typeof value === 'string');

function isRecordLine(line: unknown): line is RecordLine {
  const entry = isPlainObject(line) ? line.record : undefined;
  return Array.isArray(entry) && entry.length === 4 && areStrings(entry.slice(0, 3)) && isPlainObject(entry[3]);
}

function isIndexLine(line: unknown): line is IndexLine {
  const entry = isPlainObject(line) ? line.index : undefined;
  return Array.isArray(entry) && entry.length === 3 && areStrings(entry);
}

function isEndLine(line: unknown): line is EndLine {
  const end = isPlainObject(line) ? line.end : undefined;
  return isPlainObject(end) && typeof end.records === 'number' && typeof end.indexes === 'number';
}

/** Writes the state to a temporary file next to `file`, fsyncs it and renames it into place. */
export async function saveStateFile(file: string, state: PersistedState): Promise<void> {
  const directory = path.dirname(path.resolve(file));
  const temporary = path.join(directory, `.${path.basename(file)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  try {
    // 0600: tenants are API keys.
    const handle = await open(temporary, 'wx', 0o600);
    try {
      for (const chunk of serialize(state)) await handle.write(chunk);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, file);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw new StateFileError(file, `cannot be written (${(error as Error).message})`, { cause: error });
  }
  await syncDirectory(directory);
}

/** Makes the rename itself durable; not every platform lets a directory be fsynced, so failures are ignored. */
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

/** The file's text in batches of lines, header first and end marker last. */
function* serialize(state: PersistedState): Generator<string> {
  const header: Header = { format: FORMAT, version: VERSION, savedAt: new Date().toISOString(), clockOffsetMs: state.clockOffsetMs, fixtures: state.fixtures };
  let batch = JSON.stringify(header) + '\n';
  let records = 0;
  let indexes = 0;
  for (const [tenant, collections] of Object.entries(state.store.tenants)) {
    for (const [collection, byId] of Object.entries(collections)) {
      for (const [id, record] of Object.entries(byId)) {
        batch += JSON.stringify({ record: [tenant, collection, id, record] } satisfies RecordLine) + '\n';
        records++;
        if (batch.length >= WRITE_BATCH_CHARS) {
          yield batch;
          batch = '';
        }
      }
    }
  }
  for (const [tenant, keys] of Object.entries(state.store.indexes)) {
    for (const [key, id] of Object.entries(keys)) {
      batch += JSON.stringify({ index: [tenant, key, id] } satisfies IndexLine) + '\n';
      indexes++;
      if (batch.length >= WRITE_BATCH_CHARS) {
        yield batch;
        batch = '';
      }
    }
  }
  yield batch + JSON.stringify({ end: { records, indexes } } satisfies EndLine) + '\n';
}

/** What the periodic saver needs from the running mock. */
export interface StateSource {
  capture(): PersistedState;
  /** Changes whenever the state does; equal fingerprints mean there is nothing new to save. */
  fingerprint(): string;
}

/** Saves on an interval when the state changed, one save at a time, and a last time on stop. */
export class StatePersistence {
  private savedFingerprint: string | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private saving = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly file: string,
    private readonly source: StateSource,
    /** The state on disk already matches the source (it was just loaded from there). */
    upToDate: boolean,
  ) {
    if (upToDate) this.savedFingerprint = source.fingerprint();
  }

  /** Starts periodic saves; a failed one is reported to `onError` and retried at the next tick. */
  start(intervalMs: number, onError: (error: Error) => void): void {
    this.timer = setInterval(() => {
      if (!this.saving) this.saveIfChanged().catch(onError);
    }, intervalMs);
    this.timer.unref();
  }

  /** Saves unless nothing changed since the last save; resolves true when it wrote the file. */
  saveIfChanged(): Promise<boolean> {
    const run = this.queue.then(() => this.save());
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Stops the periodic saves and writes whatever changed since the last one. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.saveIfChanged();
  }

  private async save(): Promise<boolean> {
    const fingerprint = this.source.fingerprint();
    if (fingerprint === this.savedFingerprint) return false;
    this.saving = true;
    try {
      // Which records exist is captured at one moment; a record changed in place while the file is
      // being written may be saved with the change, and the next save (its fingerprint moved) has it anyway.
      await saveStateFile(this.file, this.source.capture());
      this.savedFingerprint = fingerprint;
      return true;
    } finally {
      this.saving = false;
    }
  }
}
