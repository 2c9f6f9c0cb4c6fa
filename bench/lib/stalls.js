/**
 * Event-loop stalls of a bench server, told apart by what the main thread did meanwhile: on the CPU
 * (the server's own work: a long task, a GC pause), waiting for a core (a busy machine), or neither
 * (blocked: GC helper threads it waits for, which wait for a core themselves). On a shared machine
 * most of a long answer is the wait for a core; wall-clock maxima alone cannot tell.
 *
 * `watchStalls(file)` runs in the server: a 2 ms timer notes every gap of 20 ms or more with the main
 * thread's CPU and run-queue time over it (Linux `/proc/self/task/<pid>/schedstat`, in ns; zeros
 * elsewhere) and writes them as JSON to `file` when the process exits. `summariseStalls` reads them.
 */
import { readFileSync, writeFileSync } from 'node:fs';

const TICK_MS = 2;
const STALL_MS = 20;
/** Stalls kept, at most: a run has tens to hundreds; the longest are what matter. */
const MAX_STALLS = 10_000;

export function watchStalls(file) {
  const schedstat = `/proc/self/task/${process.pid}/schedstat`;
  const threadTimes = () => {
    try {
      const [cpuNs, waitNs] = readFileSync(schedstat, 'latin1').split(' ').map(Number);
      return [cpuNs / 1e6, waitNs / 1e6];
    } catch {
      return [0, 0];
    }
  };
  const stalls = [];
  let last = Date.now();
  let [lastCpu, lastWait] = threadTimes();
  setInterval(() => {
    const now = Date.now();
    const [cpu, wait] = threadTimes();
    if (now - last >= STALL_MS && stalls.length < MAX_STALLS)
      stalls.push({ at: last, wallMs: now - last, cpuMs: cpu - lastCpu, waitMs: wait - lastWait });
    [last, lastCpu, lastWait] = [now, cpu, wait];
  }, TICK_MS).unref();
  process.once('exit', () => writeFileSync(file, JSON.stringify(stalls)));
}

/**
 * The stalls that began from `fromEpochMs` to `toEpochMs`: the longest by wall clock (with its CPU and
 * wait), the most CPU the main thread spent in any one stall, and the longest time it was blocked.
 */
export function summariseStalls(file, fromEpochMs, toEpochMs) {
  const stalls = JSON.parse(readFileSync(file, 'utf8')).filter(
    (stall) => stall.at >= fromEpochMs && stall.at <= toEpochMs,
  );
  const longest = stalls.reduce((worst, stall) => (worst && worst.wallMs >= stall.wallMs ? worst : stall), undefined);
  const max = (value) => Math.max(0, ...stalls.map(value));
  return {
    count: stalls.length,
    longest: longest ?? { wallMs: 0, cpuMs: 0, waitMs: 0 },
    maxCpuMs: max((stall) => stall.cpuMs),
    maxBlockedMs: max((stall) => stall.wallMs - stall.cpuMs - stall.waitMs),
  };
}
