/** Identifier sources: random UUIDs, or a seeded sequence so ids repeat from run to run. */
import { createHash, randomUUID } from 'node:crypto';

export interface IdSource {
  uuid(): string;
}

export function randomIds(): IdSource {
  return { uuid: randomUUID };
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
    uuid: () => formatUuid(Buffer.from(Uint32Array.of(next(), next(), next(), next()).buffer)),
  };
}

/** A stable UUID derived from text (e.g. an organization id from an API key). */
export function uuidFromText(text: string): string {
  return formatUuid(createHash('sha256').update(text).digest().subarray(0, 16));
}

function formatUuid(bytes: Buffer): string {
  const b = Buffer.from(bytes);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = b.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
