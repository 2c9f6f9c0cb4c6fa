/**
 * Reads a state file line by line, with a CRC-32 of what was read: the loader checks each journal
 * batch and snapshot against the checksum its writer put in the line that closes it, so a damaged
 * file is refused without parsing every record to find out.
 */
import { isAscii } from 'node:buffer';
import { open } from 'node:fs/promises';
import { crc32 } from 'node:zlib';

const READ_CHUNK_BYTES = 1024 * 1024;

/** Where a line is: bytes `start` to `end` (its newline excluded) of `bytes`, which is only valid during the call. */
export interface LineView {
  bytes: Buffer;
  start: number;
  end: number;
  /** The file offset just past its newline. */
  fileEnd: number;
}

/**
 * Calls `onLine` with each complete line of the file's first `limit` bytes, read through one reused
 * buffer (no string per line unless the caller makes one); resolves with the length of an
 * unterminated last line. `checksumBefore` and `restartChecksum`, called from `onLine`, give the
 * checksum of the bytes between two lines.
 */
export class LineReader {
  private buffer = Buffer.alloc(READ_CHUNK_BYTES);
  /** The part of `buffer` holding read bytes. */
  private view = this.buffer.subarray(0, 0);
  /** CRC-32 of the bytes since the last restart, up to `view[crcFrom]`. */
  private crc = 0;
  private crcFrom = 0;
  /** The complete lines of `view` as one string, made on first use: only when they are all ASCII, so a character is a byte. */
  private viewText: string | undefined;
  private viewTextState: 'unmade' | 'made' | 'not-ascii' = 'unmade';
  private viewLinesEnd = 0;

  constructor(
    private readonly file: string,
    private readonly maxLineBytes: number,
    private readonly onTooLong: (offset: number) => Error,
  ) {}

  async read(limit: number, onLine: (line: LineView) => void): Promise<number> {
    if (limit === 0) return 0;
    const handle = await open(this.file, 'r');
    try {
      // File offset of buffer[0], and bytes held from there.
      let base = 0;
      let held = 0;
      while (base + held < limit) {
        if (held === this.buffer.length) this.grow(held, base);
        const { bytesRead } = await handle.read(
          this.buffer,
          held,
          Math.min(this.buffer.length - held, limit - base - held),
          base + held,
        );
        if (bytesRead === 0) break;
        held += bytesRead;
        const view = (this.view = this.buffer.subarray(0, held));
        [this.viewText, this.viewTextState, this.viewLinesEnd] = [undefined, 'unmade', view.lastIndexOf(10) + 1];
        let start = 0;
        for (let newline = view.indexOf(10); newline !== -1; newline = view.indexOf(10, start)) {
          onLine({ bytes: view, start, end: newline, fileEnd: base + newline + 1 });
          start = newline + 1;
        }
        // Keep the unfinished line, at the front.
        this.crc = crc32(view.subarray(this.crcFrom, start), this.crc);
        this.crcFrom = 0;
        view.copy(this.buffer, 0, start, held);
        base += start;
        held -= start;
      }
      return held;
    } finally {
      await handle.close();
    }
  }

  /**
   * Bytes `start` to `end` of the current line's `bytes` as a string. A part of one string made for
   * all lines read together, where V8 can (ASCII), rather than a copy: a million records kept as text
   * are then a million small views, not a million strings for the young-generation collector to copy.
   */
  text(start: number, end: number): string {
    if (this.viewTextState === 'unmade') {
      const lines = this.view.subarray(0, this.viewLinesEnd);
      this.viewTextState = isAscii(lines) ? 'made' : 'not-ascii';
      if (this.viewTextState === 'made') this.viewText = lines.toString('latin1');
    }
    return this.viewText === undefined ? this.view.toString('utf8', start, end) : this.viewText.slice(start, end);
  }

  /** A copy of bytes `start` to `end`, for a string kept on its own (a name): not tied to the rest of the lines. */
  copy(start: number, end: number): string {
    return this.view.toString('utf8', start, end);
  }

  /** The checksum of the bytes from the last restart (or the file's start) up to `offset` of the current line's `bytes`. */
  checksumBefore(offset: number): number {
    return crc32(this.view.subarray(this.crcFrom, offset), this.crc);
  }

  /** Starts a new checksum at `offset` of the current line's `bytes`. */
  restartChecksum(offset: number): void {
    this.crc = 0;
    this.crcFrom = offset;
  }

  /** Makes room for a line longer than the buffer, up to the limit. */
  private grow(held: number, base: number): void {
    if (held >= this.maxLineBytes) throw this.onTooLong(base);
    const larger = Buffer.alloc(Math.min(this.buffer.length * 2, this.maxLineBytes + 1));
    this.buffer.copy(larger, 0, 0, held);
    this.buffer = larger;
  }
}
