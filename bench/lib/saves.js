/**
 * When a bench server's state file saves ran, from the mock's save events on node:diagnostics_channel
 * (src/mock/state-save-events.ts), so a latency can be judged by whether its request was in flight
 * while a save ran, and not by a guess from the save interval.
 *
 * `watchSaves(file, channelName)` runs in the server: each save that ends is appended to `file` as a
 * JSON line `{ kind, startMs, endMs, ok }` (epoch milliseconds with a fraction). `readSaves(file)`
 * reads them; `maxDuring(saves, sentMs, doneMs, count)` is the longest answer whose request overlapped one.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import diagnosticsChannel from 'node:diagnostics_channel';

export function watchSaves(file, channelName) {
  const started = new Map();
  diagnosticsChannel.subscribe(channelName, (event) => {
    if (event.phase === 'start') started.set(event.kind, event.atMs);
    else if (started.has(event.kind)) {
      const line = { kind: event.kind, startMs: started.get(event.kind), endMs: event.atMs, ok: event.ok };
      started.delete(event.kind);
      appendFileSync(file, `${JSON.stringify(line)}\n`);
    }
  });
}

/** @returns {{ kind: string, startMs: number, endMs: number, ok: boolean }[]} in the order they ended */
export function readSaves(file) {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}

/**
 * The longest of `count` answers whose request was in flight during a save (sent before the save
 * ended, answered after it began), and how many there were. Times in epoch milliseconds.
 * @param {{ startMs: number, endMs: number }[]} saves
 * @param {Float64Array} sentMs
 * @param {Float64Array} doneMs
 */
export function maxDuring(saves, sentMs, doneMs, count) {
  let maxMs = 0;
  let requests = 0;
  for (let i = 0; i < count; i++) {
    if (!saves.some((save) => sentMs[i] < save.endMs && doneMs[i] > save.startMs)) continue;
    requests++;
    maxMs = Math.max(maxMs, doneMs[i] - sentMs[i]);
  }
  return { maxMs, requests };
}
