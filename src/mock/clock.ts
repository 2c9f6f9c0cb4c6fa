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

/**
 * The instants the mock's clock may show: four-digit years, as ISO 8601 timestamps without an
 * expanded year have. Timestamps are formatted on every create, so a clock moved past Date's range
 * (±8.64e15 ms) would make every create fail.
 */
const CLOCK_RANGE = { min: Date.parse('0001-01-01T00:00:00.000Z'), max: Date.parse('9999-12-31T23:59:59.999Z') };

export function isWithinClockRange(epochMs: number): boolean {
  return epochMs >= CLOCK_RANGE.min && epochMs <= CLOCK_RANGE.max;
}

export const CLOCK_RANGE_TEXT = 'the dates the mock can represent (0001-01-01 to 9999-12-31)';

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
