/**
 * The request log's details (headers, bodies, validation issues), kept as bytes outside the
 * JavaScript heap.
 *
 * Why: the log keeps the last 1,000 requests, so every request's headers object and body strings
 * would outlive several young-generation collections, and each collection copies what survives:
 * measured on Julep create-session, holding them as references cost ~5 µs of garbage collection
 * per request, about 10% of the request. Written into a Buffer they cost one copy each, and the
 * collector never looks at them.
 *
 * The bytes live in chunks used as a ring. A full chunk hands over to the oldest one if none of its
 * records belongs to an entry the log still holds; otherwise a new chunk is added, up to `maxBytes`,
 * past which the oldest is reused anyway and its entries lose their detail (only ever the case when
 * most of the log's entries carry bodies near the 8 KiB cut). A reference names its chunk by
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

// One byte before every value says what it is.
const UNDEFINED = 0;
const STRING = 1;
const NUMBER = 2;
const LIST = 3;

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
    const { requestHeaders, requestBody, responseHeaders, responseBody, issues } = detail;
    const issuesText = issues ? JSON.stringify(issues) : undefined;
    // UTF-8 takes at most 3 bytes per UTF-16 unit; 5 bytes of tag and length per value.
    const bound =
      fieldsBound(requestHeaders) +
      fieldsBound(responseHeaders) +
      3 * ((requestBody?.length ?? 0) + responseBody.length + (issuesText?.length ?? 0)) +
      64;
    if (bound > CHUNK_BYTES) return undefined;
    if (this.offset + bound > CHUNK_BYTES) this.nextChunk(oldestKept);
    const chunk = this.chunks[this.chunks.length - 1];
    const start = this.offset;
    let at = writeFields(chunk.bytes, start, requestHeaders);
    at = writeValue(chunk.bytes, at, requestBody);
    at = writeFields(chunk.bytes, at, responseHeaders);
    at = writeValue(chunk.bytes, at, responseBody);
    this.offset = writeValue(chunk.bytes, at, issuesText);
    chunk.newestEntry = entryId;
    return chunk.generation * CHUNK_BYTES + start;
  }

  /** The detail written at `ref`, or undefined once its chunk has been reused. */
  read(ref: DetailRef): RequestDetail | undefined {
    const generation = Math.floor(ref / CHUNK_BYTES);
    const chunk = this.chunks.find((candidate) => candidate.generation === generation);
    if (!chunk) return undefined;
    const reader = new Reader(chunk.bytes, ref % CHUNK_BYTES);
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

type FieldValue = string | number | readonly string[] | undefined;

function fieldsBound(fields: Readonly<Record<string, FieldValue>>): number {
  let bound = 4;
  for (const name in fields) {
    const value = fields[name];
    bound += 3 * name.length + 10;
    if (typeof value === 'string') bound += 3 * value.length;
    else if (typeof value === 'number') bound += 8;
    else if (value) for (const item of value) bound += 3 * item.length + 5;
  }
  return bound;
}

function writeFields(bytes: Buffer, start: number, fields: Readonly<Record<string, FieldValue>>): number {
  let at = start + 4;
  let count = 0;
  for (const name in fields) {
    at = writeText(bytes, at, name);
    at = writeValue(bytes, at, fields[name]);
    count++;
  }
  bytes.writeUInt32LE(count, start);
  return at;
}

function writeValue(bytes: Buffer, at: number, value: FieldValue): number {
  if (value === undefined) {
    bytes[at] = UNDEFINED;
    return at + 1;
  }
  if (typeof value === 'string') {
    bytes[at] = STRING;
    return writeText(bytes, at + 1, value);
  }
  if (typeof value === 'number') {
    bytes[at] = NUMBER;
    return bytes.writeDoubleLE(value, at + 1);
  }
  bytes[at] = LIST;
  bytes.writeUInt32LE(value.length, at + 1);
  let next = at + 5;
  for (const item of value) next = writeText(bytes, next, item);
  return next;
}

/** Length-prefixed UTF-8: any character may appear in a value, separators included. */
function writeText(bytes: Buffer, at: number, text: string): number {
  const length = bytes.write(text, at + 4, 'utf8');
  bytes.writeUInt32LE(length, at);
  return at + 4 + length;
}

class Reader {
  constructor(
    private readonly bytes: Buffer,
    private at: number,
  ) {}

  fields(): Record<string, FieldValue> {
    const fields: Record<string, FieldValue> = Object.create(null);
    const count = this.bytes.readUInt32LE(this.at);
    this.at += 4;
    for (let index = 0; index < count; index++) {
      const name = this.text();
      fields[name] = this.value();
    }
    return fields;
  }

  value(): FieldValue {
    const tag = this.bytes[this.at++];
    if (tag === UNDEFINED) return undefined;
    if (tag === STRING) return this.text();
    if (tag === NUMBER) {
      const value = this.bytes.readDoubleLE(this.at);
      this.at += 8;
      return value;
    }
    const count = this.bytes.readUInt32LE(this.at);
    this.at += 4;
    const items: string[] = [];
    for (let index = 0; index < count; index++) items.push(this.text());
    return items;
  }

  private text(): string {
    const length = this.bytes.readUInt32LE(this.at);
    const text = this.bytes.toString('utf8', this.at + 4, this.at + 4 + length);
    this.at += 4 + length;
    return text;
  }
}
