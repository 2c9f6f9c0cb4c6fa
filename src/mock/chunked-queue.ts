/**
 * A first-in first-out queue kept in fixed-size chunks. A plain array of a million entries grows by
 * copying all of them into a new backing store (and `slice` to drop a consumed prefix copies the rest):
 * tens of milliseconds with the event loop blocked. Here growing adds a chunk and consuming drops one.
 */

/** Slots per chunk: a chunk is small to allocate, and a million entries take a few hundred chunks. */
const CHUNK_SIZE = 4_096;

export class ChunkedQueue<T> {
  private chunks: (T | undefined)[][] = [];
  /** Next slot to take in the first chunk. */
  private head = 0;
  /** Next free slot in the last chunk. */
  private tail = CHUNK_SIZE;
  private count = 0;

  get length(): number {
    return this.count;
  }

  push(value: T): void {
    if (this.tail === CHUNK_SIZE) {
      this.chunks.push(new Array<T | undefined>(CHUNK_SIZE));
      this.tail = 0;
    }
    this.chunks[this.chunks.length - 1]![this.tail++] = value;
    this.count++;
  }

  /** Takes the oldest value out; undefined when empty. */
  shift(): T | undefined {
    if (this.count === 0) return undefined;
    const chunk = this.chunks[0]!;
    const value = chunk[this.head];
    // Released at once, so what the slot held can be collected.
    chunk[this.head++] = undefined;
    this.count--;
    if (this.count === 0) [this.chunks, this.head, this.tail] = [[], 0, CHUNK_SIZE];
    else if (this.head === CHUNK_SIZE) {
      this.chunks.shift();
      this.head = 0;
    }
    return value;
  }
}
