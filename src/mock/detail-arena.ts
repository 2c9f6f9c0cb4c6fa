/**
 * The request log's details (headers, bodies, validation issues), kept as bytes outside the
 * JavaScript heap.
 *
 * Why: the log keeps the last 1,000 requests, so every request's headers object and body strings
 * would outlive several young-generation collections, and each collection copies what survives.
 * Measured on Julep create-session (bench/RESULTS.md, "Mock near bare"): ~62 µs of CPU per request
 * with references, ~52 µs with this. Written here as one string per record, they cost one copy,
 * and the collector never looks at them.
 *
 * The bytes live in chunks used as a ring. A full chunk hands over to the oldest one if none of its
 * records belongs to an entry the log still holds; otherwise a new chunk is added, up to `maxBytes`,
 * past which the oldest is reused anyway and its entries lose their detail (only when entries average
 * more than the log's 32 KiB: bodies near the 8 KiB cut in multi-byte characters). A reference names its chunk by
 * generation, so a reused chunk's old references read as gone, never as someone else's bytes.
 */
import type { FieldIssue } from './api-error.js';

export interface RequestDetail {
  requestHeaders: Record<string, string | string[] | undefined>;
  requestBody: string | undefined;
  responseHeaders: Record<string, string | number>;
  responseBody: string;
  /** The validation issues, when the request was rejected for them. */
  issues: FieldIssue[] | undefined;
}

/** Where a record was written: its chunk's generation × `CHUNK_BYTES` + its offset there (one number, no object). */
export type DetailRef = number;

const CHUNK_BYTES = 1024 * 1024;

interface Chunk {
  bytes: Buffer;
  generation: number;
  /** The id of the newest log entry with a record here. */
  newestEntry: number;
}

export class DetailArena {
  /** Oldest first; the last one is written to. */
  private readonly chunks: Chunk[] = [];
  private offset = CHUNK_BYTES;
  private nextGeneration = 0;
  private readonly maxChunks: number;

  constructor(maxBytes: number) {
    this.maxChunks = Math.max(1, Math.floor(maxBytes / CHUNK_BYTES));
  }

  /** Bytes held now (whole chunks). */
  get heldBytes(): number {
    return this.chunks.length * CHUNK_BYTES;
  }

  /**
   * Writes one entry's detail. `oldestKept` is the id of the oldest entry the log still holds:
   * chunks holding only older ones are free. Undefined when the record cannot fit in a chunk.
   */
  write(entryId: number, oldestKept: number, detail: RequestDetail): DetailRef | undefined {
    const record = encodeDetail(detail);
    // UTF-8 takes at most 3 bytes per UTF-16 unit; 4 bytes for the record's length.
    const bound = 4 + 3 * record.length;
    if (bound > CHUNK_BYTES) return undefined;
    if (this.offset + bound > CHUNK_BYTES) this.nextChunk(oldestKept);
    const chunk = this.chunks[this.chunks.length - 1];
    const start = this.offset;
    // One copy into the buffer per request: each call into Buffer's native code costs more than the bytes.
    const length = chunk.bytes.write(record, start + 4, 'utf8');
    chunk.bytes.writeUInt32LE(length, start);
    this.offset = start + 4 + length;
    chunk.newestEntry = entryId;
    return chunk.generation * CHUNK_BYTES + start;
  }

  /** The detail written at `ref`, or undefined once its chunk has been reused. */
  read(ref: DetailRef): RequestDetail | undefined {
    const generation = Math.floor(ref / CHUNK_BYTES);
    const chunk = this.chunks.find((candidate) => candidate.generation === generation);
    if (!chunk) return undefined;
    const start = ref % CHUNK_BYTES;
    const length = chunk.bytes.readUInt32LE(start);
    return decodeDetail(chunk.bytes.toString('utf8', start + 4, start + 4 + length));
  }

  /** Drops every record (the log was cleared): the chunks stay for reuse. */
  clear(): void {
    for (const chunk of this.chunks) chunk.generation = this.nextGeneration++;
  }

  private nextChunk(oldestKept: number): void {
    const oldest = this.chunks[0];
    const oldestIsFree = oldest !== undefined && oldest.newestEntry < oldestKept;
    let chunk: Chunk;
    if (oldest && (oldestIsFree || this.chunks.length >= this.maxChunks)) {
      chunk = this.chunks.shift()!;
      chunk.generation = this.nextGeneration++;
    } else {
      // allocUnsafeSlow: a buffer of its own, outside Node's shared pool; every byte read was written first.
      chunk = { bytes: Buffer.allocUnsafeSlow(CHUNK_BYTES), generation: this.nextGeneration++, newestEntry: 0 };
    }
    this.chunks.push(chunk);
    this.offset = 0;
  }
}

/*
 * A record is one string: each value is a tag character, then for text its length in UTF-16 units,
 * a colon and the text itself (so any character may appear in it), for a number the number and a
 * colon, for a list its count and a colon followed by its texts. Fields are a count, then names and values.
 */
type FieldValue = string | number | readonly string[] | undefined;

function encodeDetail({ requestHeaders, requestBody, responseHeaders, responseBody, issues }: RequestDetail): string {
  return (
    encodeFields(requestHeaders) +
    encodeValue(requestBody) +
    encodeFields(responseHeaders) +
    encodeValue(responseBody) +
    encodeValue(issues ? JSON.stringify(issues) : undefined)
  );
}

function encodeFields(fields: Readonly<Record<string, FieldValue>>): string {
  let text = '';
  let count = 0;
  for (const name in fields) {
    text += `${name.length}:${name}${encodeValue(fields[name])}`;
    count++;
  }
  return `${count}:${text}`;
}

function encodeValue(value: FieldValue): string {
  if (value === undefined) return 'u';
  if (typeof value === 'string') return `s${value.length}:${value}`;
  if (typeof value === 'number') return `n${value}:`;
  let text = `l${value.length}:`;
  for (const item of value) text += `${item.length}:${item}`;
  return text;
}

function decodeDetail(record: string): RequestDetail {
  const reader = new Reader(record);
  const requestHeaders = reader.fields() as RequestDetail['requestHeaders'];
  const requestBody = reader.value() as string | undefined;
  const responseHeaders = reader.fields() as RequestDetail['responseHeaders'];
  const responseBody = reader.value() as string;
  const issuesText = reader.value() as string | undefined;
  return {
    requestHeaders,
    requestBody,
    responseHeaders,
    responseBody,
    issues: issuesText === undefined ? undefined : JSON.parse(issuesText),
  };
}

class Reader {
  private at = 0;

  constructor(private readonly record: string) {}

  fields(): Record<string, FieldValue> {
    const fields: Record<string, FieldValue> = Object.create(null);
    const count = this.number();
    for (let index = 0; index < count; index++) {
      const name = this.text();
      fields[name] = this.value();
    }
    return fields;
  }

  value(): FieldValue {
    const tag = this.record[this.at++];
    if (tag === 'u') return undefined;
    if (tag === 's') return this.text();
    if (tag === 'n') return this.number();
    const items: string[] = [];
    for (let count = this.number(); count > 0; count--) items.push(this.text());
    return items;
  }

  /** Up to the next colon. */
  private number(): number {
    const colon = this.record.indexOf(':', this.at);
    const value = Number(this.record.slice(this.at, colon));
    this.at = colon + 1;
    return value;
  }

  private text(): string {
    const length = this.number();
    const text = this.record.slice(this.at, this.at + length);
    this.at += length;
    return text;
  }
}
