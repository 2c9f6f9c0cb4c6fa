/** Identifier sources: random UUIDs, or a seeded sequence so ids repeat from run to run. */
import { createHash, randomFillSync } from 'node:crypto';

export interface IdSource {
  uuid(): string;
  /** 1, 2, 3...: integer keys, unique across the mock. */
  sequence(): number;
}

function counter(): () => number {
  let last = 0;
  return () => ++last;
}

const POOLED_UUIDS = 1024;

/**
 * Version-4 UUIDs from a pool of random bytes. Not crypto.randomUUID: it builds its string by
 * concatenation, and each stored id then stays a rope of ~20 pieces (~500 bytes instead of ~60),
 * which dominates the memory of a store holding a million records.
 */
export function randomIds(): IdSource {
  const pool = Buffer.alloc(POOLED_UUIDS * 16);
  let next = POOLED_UUIDS;
  return {
    sequence: counter(),
    uuid: () => {
      if (next === POOLED_UUIDS) {
        randomFillSync(pool);
        next = 0;
      }
      return formatUuid(pool, 16 * next++);
    },
  };
}

/** Version-4-shaped UUIDs from a seeded xorshift128 generator. */
export function seededIds(seed: number): IdSource {
  let [a, b, c, d] = [seed | 0 || 1, 0x9e3779b9, 0x243f6a88, 0xb7e15162];
  const next = (): number => {
    const t = a ^ (a << 11);
    [a, b, c] = [b, c, d];
    d = (d ^ (d >>> 19) ^ (t ^ (t >>> 8))) >>> 0;
    return d;
  };
  for (let i = 0; i < 16; i++) next();
  return {
    sequence: counter(),
    uuid: () => formatUuid(Buffer.from(Uint32Array.of(next(), next(), next(), next()).buffer), 0),
  };
}

/** A stable UUID derived from text (e.g. an organization id from an API key). */
export function uuidFromText(text: string): string {
  return formatUuid(createHash('sha256').update(text).digest(), 0);
}

const HEX_DIGITS = Buffer.from('0123456789abcdef');
const uuidText = Buffer.alloc(36);

/** Formats 16 bytes at `offset` as a version-4 UUID, written out in one flat string. */
function formatUuid(bytes: Buffer, offset: number): string {
  let at = 0;
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) uuidText[at++] = 0x2d; // '-'
    let byte = bytes[offset + i];
    if (i === 6) byte = (byte & 0x0f) | 0x40;
    else if (i === 8) byte = (byte & 0x3f) | 0x80;
    uuidText[at++] = HEX_DIGITS[byte >> 4];
    uuidText[at++] = HEX_DIGITS[byte & 0x0f];
  }
  return uuidText.toString('latin1', 0, 36);
}
