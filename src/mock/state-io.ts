/**
 * The file operations the state file needs, behind an interface so tests can put a failing disk
 * (short writes, ENOSPC) in place of `node:fs/promises`, and writes that are checked to the last byte.
 */
import { open, rename, unlink } from 'node:fs/promises';
import { crc32 } from 'node:zlib';

export interface StateFileHandle {
  write(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesWritten: number }>;
  /** fdatasync: the bytes (not every attribute) are on disk before a save counts as done. */
  datasync(): Promise<void>;
  truncate(length: number): Promise<void>;
  close(): Promise<void>;
}

export interface StateFileSystem {
  open(path: string, flags: 'wx' | 'r+' | 'r', mode?: number): Promise<StateFileHandle>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
}

export const nodeFileSystem: StateFileSystem = {
  open: (path, flags, mode) => open(path, flags, mode),
  rename,
  unlink,
};

/** Writes all of `buffer` at `position`; a write that makes no progress is an error, never silently short. */
export async function writeFully(handle: StateFileHandle, buffer: Uint8Array, position: number): Promise<void> {
  let written = 0;
  while (written < buffer.length) {
    const { bytesWritten } = await handle.write(buffer, written, buffer.length - written, position + written);
    if (!(bytesWritten > 0)) {
      throw Object.assign(new Error(`short write: ${written} of ${buffer.length} bytes reached the disk`), {
        code: 'EIO',
      });
    }
    written += bytesWritten;
  }
}

/** Text written in slices of about this many characters; between slices the event loop answers requests. */
export const SLICE_CHARS = 256 * 1024;
/** …or of this many milliseconds of serialising, whichever comes first. */
const SLICE_MS = 8;

/**
 * Appends lines to a file at a known position, in slices: serialising a million records never
 * blocks answers for longer than one slice, and memory holds one slice, never the whole file.
 */
export class SlicedWriter {
  private pending = '';
  private sliceStarted = performance.now();
  /** CRC-32 of the bytes since the last sealing line, up to `pending[checksummedChars]`. */
  private checksum = 0;
  private checksummedChars = 0;

  constructor(
    private readonly handle: StateFileHandle,
    /** Where the next byte goes; after `flush()` the file's length as far as this writer knows. */
    public position: number,
    private readonly shouldStop: () => boolean = () => false,
  ) {}

  /** Queues one line; resolves at once unless a slice is full, then after it has been written. */
  line(text: string): Promise<void> | undefined {
    this.pending += `${text}\n`;
    if (this.pending.length >= SLICE_CHARS || performance.now() - this.sliceStarted >= SLICE_MS) return this.flush();
    return undefined;
  }

  /**
   * Queues the line that closes a batch or snapshot, made with the checksum of the bytes since the
   * previous such line (or since the writer began); the next checksum starts after it.
   */
  seal(lineFor: (crc: number) => string): Promise<void> | undefined {
    const crc = crc32(this.pending.slice(this.checksummedChars), this.checksum);
    const full = this.line(lineFor(crc));
    this.checksum = 0;
    this.checksummedChars = this.pending.length;
    return full;
  }

  async flush(): Promise<void> {
    if (this.shouldStop()) throw new SaveStopped();
    const buffer = Buffer.from(this.pending, 'utf8');
    if (this.checksummedChars < this.pending.length)
      this.checksum = crc32(
        this.checksummedChars === 0 ? buffer : this.pending.slice(this.checksummedChars),
        this.checksum,
      );
    this.checksummedChars = 0;
    this.pending = '';
    if (buffer.length > 0) await writeFully(this.handle, buffer, this.position);
    this.position += buffer.length;
    // The write above may complete before any socket is looked at; make sure waiting requests get their turn.
    await new Promise((resolve) => setImmediate(resolve));
    this.sliceStarted = performance.now();
  }
}

/** A save given up because the mock is stopping (a compaction is not worth delaying the stop for). */
export class SaveStopped extends Error {
  override name = 'SaveStopped';
  constructor() {
    super('stopped before it finished');
  }
}
