/** `--rate`: requests to a shared sandbox spaced evenly, so no second carries more than the cap. */
import { setTimeout as sleep } from 'node:timers/promises';

export class RateLimiter {
  private lastSent = -Infinity;
  private queue: Promise<void> = Promise.resolve();
  private readonly intervalMs: number;

  constructor(perSecond: number) {
    this.intervalMs = 1000 / perSecond;
  }

  /**
   * Resolves when the caller may send. Callers go one at a time, each at least one interval after
   * the previous one actually went: a timer that fires late delays the rest instead of letting a
   * burst catch up.
   */
  take(): Promise<void> {
    const turn = this.queue.then(async () => {
      const wait = this.lastSent + this.intervalMs - performance.now();
      if (wait > 0) await sleep(wait);
      this.lastSent = performance.now();
    });
    this.queue = turn;
    return turn;
  }
}

/** "20/s", "600/m", "5/min" or a bare "20" (per second) → requests per second. */
export function parseRate(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(?:\/\s*(s|sec|second|m|min|minute))?\s*$/i.exec(text);
  if (!match) return undefined;
  const count = Number(match[1]);
  const perMinute = match[2]?.toLowerCase().startsWith('m');
  const rate = perMinute ? count / 60 : count;
  return rate > 0 ? rate : undefined;
}
