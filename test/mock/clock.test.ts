import { describe, expect, it } from 'vitest';
import { isoTimestamp, steppingClock } from '../../src/mock/clock.js';

describe('isoTimestamp', () => {
  it('matches toISOString for repeated, alternating and stepping instants', () => {
    const clock = steppingClock(new Date('2025-01-01T00:00:00.000Z'));
    const instants = [
      new Date(0),
      new Date(0),
      new Date(1_700_000_000_123),
      new Date(0),
      clock.now(),
      clock.now(),
      new Date(-1),
    ];
    for (const date of instants) expect(isoTimestamp(date)).toBe(date.toISOString());
  });
});
