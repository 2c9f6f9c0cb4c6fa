/**
 * Keeps `--state-file` up to date without stalling answers: every interval, the records, index
 * entries, clock and fixtures that changed since the last save are appended to the file as one
 * journal batch; once most of the file is outdated (records rewritten, deleted or evicted), a new
 * snapshot is written in the background and renamed into place (compaction). Both are written in
 * small slices between requests.
 *
 * A kill -9 loses at most what changed since the last completed batch: one interval plus the time
 * that batch took to write. Nothing ever waits for a whole-state save but a start from a missing,
 * old-format or damaged-tail file.
 */
import type { Clock } from './clock.js';
import type { Fixtures } from './fixtures.js';
import { ChangeSet } from './state-changes.js';
import {
  loadStateFile,
  PendingSnapshot,
  StateFileError,
  VERSION,
  writeSnapshot,
  type PersistedState,
} from './state-file.js';
import { nodeFileSystem, SaveStopped, SlicedWriter, type StateFileHandle, type StateFileSystem } from './state-io.js';
import { announcedSave } from './state-save-events.js';
import { removeOrphanTemporaries, resolveStateFile, StateFileLock } from './state-lock.js';
import type { Store } from './store.js';

/**
 * The file is compacted once most of its record lines are outdated (more outdated lines than
 * records held: a record rewritten, deleted or evicted leaves its earlier lines behind), and it is
 * at least this large. Inserts alone never call for it: a mock being filled writes each record once.
 */
export const COMPACT_MIN_BYTES = 8 * 1024 * 1024;
const COMPACT_MIN_OUTDATED_LINES = 10_000;

export interface PersistenceParts {
  store: Store;
  fixtures: Fixtures;
  clock: Clock;
}

export interface OpenOptions {
  /** The file operations used for writing (tests inject a failing disk). */
  fs?: StateFileSystem;
  /** Warnings that do not stop the start (an unfinished last save dropped, orphan files removed). */
  warn?: (message: string) => void;
}

interface Written {
  clockOffsetMs: number;
  fixturesJson: string;
}

export class StatePersistence {
  private changes = new ChangeSet();
  /** While a compaction runs: every batch appended to the old file since it began, to be appended to the new one too. */
  private carried: ChangeSet[] | undefined;
  private handle: StateFileHandle | undefined;
  private parts: PersistenceParts | undefined;
  /** Bytes up to the end of the last complete batch. */
  private length = 0;
  /** Record and deletion lines in the file; those beyond the records held are outdated. */
  private recordLines = 0;
  private written: Written = { clockOffsetMs: 0, fixturesJson: '' };
  /** Appends and the switch to a new snapshot, one at a time. */
  private queue: Promise<unknown> = Promise.resolve();
  private compaction: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopping = false;
  /** Where saves that fail in the background are reported. */
  private onError: (error: Error) => void = () => undefined;
  /** A failed append whose partial bytes could not be cut off: only a new snapshot may write to the file again. */
  private needsSnapshot = false;

  private constructor(
    /** The state file as given. */
    readonly file: string,
    /** The file written: symbolic links followed. */
    readonly path: string,
    private readonly lock: StateFileLock,
    private readonly fs: StateFileSystem,
    /** What the file held, if it existed. */
    readonly restored:
      | (PersistedState & { recordLines: number; validBytes: number; unfinishedBytes: number; version: number })
      | undefined,
  ) {}

  /**
   * Locks the file (a second mock on it fails here), removes temporary files a dead process left,
   * and reads it into `store`. Nothing is written yet: call `begin` once the mock is built, or `abandon`.
   */
  static async open(file: string, store: Store, options: OpenOptions = {}): Promise<StatePersistence> {
    const resolved = await resolveStateFile(file);
    const lock = await StateFileLock.acquire(resolved);
    try {
      const orphans = await removeOrphanTemporaries(resolved);
      if (orphans.length > 0)
        options.warn?.(
          `state file ${file}: removed ${orphans.length} temporary file(s) of a save that did not finish: ${orphans.join(', ')}`,
        );
      const loaded = await loadStateFile(resolved, store);
      const restored = loaded && {
        ...loaded.state,
        recordLines: loaded.recordLines,
        validBytes: loaded.validBytes,
        unfinishedBytes: loaded.unfinishedBytes,
        version: loaded.version,
      };
      if (restored && restored.unfinishedBytes > 0) {
        options.warn?.(
          `state file ${file}: the last ${restored.unfinishedBytes} bytes are a save that did not finish (the process stopped during it); they are left out`,
        );
      }
      return new StatePersistence(file, resolved, lock, options.fs ?? nodeFileSystem, restored);
    } catch (error) {
      lock.release();
      throw error;
    }
  }

  /**
   * Starts journaling the mock's changes. A missing or old-format file is written as a snapshot now
   * (so an unwritable path fails the start, not the first save); an unfinished last batch is cut off.
   */
  async begin(parts: PersistenceParts): Promise<void> {
    this.parts = parts;
    const restored = this.restored;
    try {
      if (!restored || restored.version !== VERSION) {
        ({ bytes: this.length, records: this.recordLines } = await writeSnapshot(this.fs, this.path, this.source()));
      } else {
        this.recordLines = restored.recordLines;
        this.length = restored.validBytes;
      }
      this.handle = await this.fs.open(this.path, 'r+');
      if (restored?.unfinishedBytes) await this.handle.truncate(this.length);
    } catch (error) {
      throw this.writeError(error);
    }
    this.written = this.current();
    parts.store.observe(this.changes);
  }

  /**
   * Starts periodic saves, each `intervalMs` after the previous one began (at once after one that
   * took longer), so a kill -9 loses at most an interval and a save. A failed save is reported to
   * `onError` and retried at the next tick.
   */
  start(intervalMs: number, onError: (error: Error) => void): void {
    this.onError = onError;
    const next = (delayMs: number) => {
      this.timer = setTimeout(() => {
        const began = performance.now();
        this.saveIfChanged()
          .catch(onError)
          .finally(() => {
            if (!this.stopping) next(Math.max(0, intervalMs - (performance.now() - began)));
          });
      }, delayMs);
      this.timer.unref();
    };
    next(intervalMs);
  }

  /** Appends what changed since the last save, if anything did; resolves true when it wrote. */
  saveIfChanged(): Promise<boolean> {
    return this.exclusive(() => this.append());
  }

  /** Writes a new snapshot now (the journal is folded into it); resolves once it is in place. */
  async compact(): Promise<void> {
    this.startCompaction();
    await this.compaction;
  }

  /** Stops periodic saves, gives up a compaction in progress, and appends what changed since the last save. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    try {
      await this.compaction;
      // The partial bytes of a failed batch are still in the file: the last save has to be a whole snapshot.
      if (this.needsSnapshot)
        await this.exclusive(() => announcedSave('snapshot', this.file, () => this.replaceWithSnapshot()));
      else await this.saveIfChanged();
    } finally {
      this.parts?.store.observe(undefined);
      await this.handle?.close().catch(() => undefined);
      this.lock.release();
    }
  }

  /** Releases the file without saving (the mock never started). */
  async abandon(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    this.parts?.store.observe(undefined);
    await this.handle?.close().catch(() => undefined);
    this.lock.release();
  }

  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async append(): Promise<boolean> {
    if (this.needsSnapshot) {
      this.startCompaction();
      return false;
    }
    const now = this.current();
    const clockChanged = now.clockOffsetMs !== this.written.clockOffsetMs;
    const fixturesChanged = now.fixturesJson !== this.written.fixturesJson;
    if (this.changes.size === 0 && !clockChanged && !fixturesChanged) return false;
    await announcedSave('append', this.file, () => this.appendBatch(now, clockChanged, fixturesChanged));
    if (this.isMostlyOutdated()) this.startCompaction();
    return true;
  }

  private async appendBatch(now: Written, clockChanged: boolean, fixturesChanged: boolean): Promise<void> {
    const batch = this.takeChanges();
    this.carried?.push(batch);
    const writer = new SlicedWriter(this.handle!, this.length);
    let recordLines: number;
    try {
      recordLines = await batch.write(writer, this.parts!.store, {
        clockOffsetMs: clockChanged ? now.clockOffsetMs : undefined,
        fixturesJson: fixturesChanged ? now.fixturesJson : undefined,
      });
      await this.handle!.datasync();
    } catch (error) {
      this.putBack(batch);
      // Cut the partial batch off, so the next one follows the last complete one.
      await this.handle!.truncate(this.length).catch(() => (this.needsSnapshot = true));
      throw this.writeError(error);
    }
    this.length = writer.position;
    this.recordLines += recordLines;
    this.written = now;
  }

  private isMostlyOutdated(): boolean {
    const held = this.parts!.store.size;
    return this.length >= COMPACT_MIN_BYTES && this.recordLines - held > Math.max(held, COMPACT_MIN_OUTDATED_LINES);
  }

  private startCompaction(): void {
    if (this.compaction || this.stopping || !this.parts) return;
    this.compaction = announcedSave('snapshot', this.file, () => this.compactInBackground())
      .catch((error: Error) => {
        if (!(error instanceof SaveStopped)) this.onError(this.writeError(error));
      })
      .finally(() => (this.compaction = undefined));
  }

  /**
   * Writes the snapshot while appends go on to the old file; then, with appends held, adds what
   * changed meanwhile to the new file, renames it into place and appends to it from then on.
   */
  private async compactInBackground(): Promise<void> {
    this.carried = [];
    const header = this.current();
    // Records stored from here on are in the carried batches: left out of the snapshot, they load in the order they came.
    const storedBefore = this.parts!.store.nextRank;
    let snapshot: PendingSnapshot | undefined;
    try {
      snapshot = await PendingSnapshot.create(this.fs, this.path, () => this.stopping);
      const records = await snapshot.writeState({ store: this.parts!.store, ...header, storedBefore });
      await this.exclusive(() => this.install(snapshot!, records, this.carried!, header));
    } catch (error) {
      await snapshot?.abandon();
      throw error;
    } finally {
      this.carried = undefined;
    }
  }

  /** A whole snapshot with appends held: the last save after a batch that could not be cut off. */
  private async replaceWithSnapshot(): Promise<void> {
    const header = this.current();
    const snapshot = await PendingSnapshot.create(this.fs, this.path);
    try {
      const records = await snapshot.writeState({ store: this.parts!.store, ...header });
      await this.install(snapshot, records, [], header);
    } catch (error) {
      await snapshot.abandon();
      throw this.writeError(error);
    }
  }

  private async install(
    snapshot: PendingSnapshot,
    records: number,
    carried: ChangeSet[],
    header: Written,
  ): Promise<void> {
    const batch = this.takeChanges();
    const now = this.current();
    let recordLines = records;
    const extra = {
      clockOffsetMs: now.clockOffsetMs !== header.clockOffsetMs ? now.clockOffsetMs : undefined,
      fixturesJson: now.fixturesJson !== header.fixturesJson ? now.fixturesJson : undefined,
    };
    try {
      // Batches appended to the old file meanwhile, as they are now (a name in two batches is written twice, to the same effect).
      for (const earlier of carried) recordLines += await earlier.write(snapshot.writer, this.parts!.store);
      if (batch.size > 0 || extra.clockOffsetMs !== undefined || extra.fixturesJson !== undefined)
        recordLines += await batch.write(snapshot.writer, this.parts!.store, extra);
      const size = await snapshot.install();
      await this.handle?.close().catch(() => undefined);
      this.handle = undefined;
      // From here the new file is in place: until it is open, only another snapshot may save.
      this.needsSnapshot = true;
      this.handle = await this.fs.open(this.path, 'r+');
      [this.length, this.recordLines, this.written, this.needsSnapshot] = [size, recordLines, now, false];
    } catch (error) {
      this.putBack(batch);
      throw error;
    }
  }

  /**
   * A batch that was not written goes back before what changed since it was taken, so the next
   * batch names records in the order they changed, and a load ranks them as the mock did.
   */
  private putBack(batch: ChangeSet): void {
    const merged = new ChangeSet();
    merged.absorb(batch);
    merged.absorb(this.changes);
    this.changes = merged;
    this.parts!.store.observe(merged);
  }

  private takeChanges(): ChangeSet {
    const taken = this.changes;
    this.changes = new ChangeSet();
    this.parts!.store.observe(this.changes);
    return taken;
  }

  private source() {
    return { store: this.parts!.store, ...this.current() };
  }

  private current(): Written {
    const { clock, fixtures } = this.parts!;
    return { clockOffsetMs: clock.offset(), fixturesJson: JSON.stringify(fixtures.toJSON()) };
  }

  private writeError(error: unknown): StateFileError {
    if (error instanceof StateFileError) return error;
    return new StateFileError(
      this.file,
      `could not be saved (${(error as Error).message}); the file keeps the state of the last completed save`,
      { cause: error },
    );
  }
}
