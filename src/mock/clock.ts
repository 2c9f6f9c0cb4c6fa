/** The mock's notion of time: real, or fixed and stepping (with --seed), and shiftable for expiry testing. */

export interface Clock {
  now(): Date;
  /** Moves time forward (or back) for everything the mock does from now on. */
  advance(milliseconds: number): void;
  offset(): number;
}

/** Wall-clock time plus an adjustable offset. */
export function systemClock(offsetMs = 0): Clock {
  let offset = offsetMs;
  return {
    now: () => new Date(Date.now() + offset),
    advance: (ms) => void (offset += ms),
    offset: () => offset,
  };
}

/** Starts at a fixed instant and moves one millisecond per reading: the same requests give the same timestamps. */
export function steppingClock(start: Date, offsetMs = 0): Clock {
  let offset = offsetMs;
  let ticks = 0;
  return {
    now: () => new Date(start.getTime() + offset + ticks++),
    advance: (ms) => void (offset += ms),
    offset: () => offset,
  };
}

export const SEEDED_CLOCK_START = new Date('2025-01-01T00:00:00.000Z');

let formattedAt = Number.NaN;
let formatted = '';

/**
 * `date.toISOString()`, remembered for the last instant formatted: under load many requests share a
 * millisecond, and formatting a date costs more than the rest of building a typical record.
 */
export function isoTimestamp(date: Date): string {
  const at = date.getTime();
  if (at !== formattedAt) {
    formatted = date.toISOString();
    formattedAt = at;
  }
  return formatted;
}
