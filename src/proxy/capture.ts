/** A pass-through stream that keeps the first bytes it carries (up to a limit) for validation, and counts them all. */
import { Transform, type TransformCallback } from 'node:stream';

export class Capture extends Transform {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  /** Every byte that went through, kept or not. */
  total = 0;

  constructor(private readonly limit: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.total += chunk.length;
    if (this.kept < this.limit) {
      const part = chunk.length <= this.limit - this.kept ? chunk : chunk.subarray(0, this.limit - this.kept);
      this.chunks.push(part);
      this.kept += part.length;
    }
    callback(null, chunk);
  }

  /** True when more went through than was kept. */
  get truncated(): boolean {
    return this.total > this.kept;
  }

  bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
}
