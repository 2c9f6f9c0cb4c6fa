/** `--rate`: requests to a shared sandbox spaced evenly, so no second carries more than the cap. */
import { setTimeout as sleep } from 'node:timers/promises';

export class RateLimiter {
  private nextSlot = 0;
  private readonly intervalMs: number;

  constructor(perSecond: number) {
    this.intervalMs = 1000 / perSecond;
  }

  /** Resolves when the caller may send: each call takes the next free slot. */
  async take(): Promise<void> {
    const now = performance.now();
    const slot = Math.max(now, this.nextSlot);
    this.nextSlot = slot + this.intervalMs;
    if (slot > now) await sleep(slot - now);
  }
}

/** "20/s", "600/m", "5/min" or a bare "20" (per second) → requests per second. */
export function parseRate(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(?:\/\s*(s|sec|second|m|min|minute))?\s*$/i.exec(text);
  if (!match) return undefined;
  const count = Number(match[1]);
  const perMinute = match[2] !== undefined && match[2].toLowerCase().startsWith('m');
  const rate = perMinute ? count / 60 : count;
  return rate > 0 ? rate : undefined;
}
