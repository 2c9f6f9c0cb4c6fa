/**
 * Loads several targets with autocannon, side by side: one warm-up each, then the measured time
 * split into rounds that visit every target in turn. On a shared, noisy machine a slow patch then
 * hits every target alike instead of whichever happened to be running.
 */
import autocannon from 'autocannon';
import { cpuMicros } from './processes.js';

/**
 * @typedef {{ method: string, path: string, headers: Record<string, string>, body?: string }} BenchRequest
 * @typedef {{ key: string, url: string, request: BenchRequest, pid?: number }} LoadTarget
 *   `pid`: the server's process, whose CPU time per answered request is then measured too.
 * @typedef {{ connections: number, durationSeconds: number, warmupSeconds: number, rounds: number }} LoadSettings
 */

/**
 * `roundRates` are req/s per round: targets measured seconds apart, so per-round ratios between
 * them are the least disturbed by the machine's other load. With a target's `pid`,
 * `cpuMicrosPerRequest` is the server's CPU time (user + system) over the measured rounds divided by
 * the answers it gave, and `roundCpuMicros` the same per round; CPU time is what another process's
 * load moves least. Without a pid both are NaN.
 * @returns {Promise<Map<string, LoadResult>>}
 * @typedef {{ requestsPerSecond: number, roundRates: number[], cpuMicrosPerRequest: number, roundCpuMicros: number[], p50Ms: number, p99Ms: number, failures: number, total: number }} LoadResult
 */
export async function loadSideBySide(/** @type {LoadTarget[]} */ targets, /** @type {LoadSettings} */ settings) {
  const sliceSeconds = settings.durationSeconds / settings.rounds;
  const tallies = new Map(
    targets.map((target) => [
      target.key,
      { latencies: [], failures: 0, seconds: 0, roundRates: [], cpuMicros: 0, roundCpuMicros: [] },
    ]),
  );
  if (settings.warmupSeconds > 0)
    for (const target of targets) await run(target, settings.connections, settings.warmupSeconds);
  for (let round = 0; round < settings.rounds; round++) {
    for (const target of targets) {
      const tally = tallies.get(target.key);
      const before = tally.latencies.length;
      const cpuBefore = target.pid === undefined ? NaN : cpuMicros(target.pid);
      const result = await run(target, settings.connections, sliceSeconds, tally.latencies);
      // Read at once: the answers are in, and the server has nothing else to do until the next slice.
      const cpuUsed = target.pid === undefined ? NaN : cpuMicros(target.pid) - cpuBefore;
      const answered = tally.latencies.length - before;
      tally.roundRates.push(answered / sliceSeconds);
      tally.roundCpuMicros.push(cpuUsed / answered);
      tally.cpuMicros += cpuUsed;
      // Anything but the documented success is a broken workload, not a fast one.
      tally.failures += result.non2xx + result.errors + result.timeouts;
      tally.seconds += sliceSeconds;
    }
  }
  return new Map(
    [...tallies].map(([key, tally]) => {
      const sorted = Float64Array.from(tally.latencies).sort();
      return [
        key,
        {
          requestsPerSecond: sorted.length / tally.seconds,
          roundRates: tally.roundRates,
          cpuMicrosPerRequest: tally.cpuMicros / sorted.length,
          roundCpuMicros: tally.roundCpuMicros,
          p50Ms: percentile(sorted, 0.5),
          p99Ms: percentile(sorted, 0.99),
          failures: tally.failures,
          total: sorted.length,
        },
      ];
    }),
  );
}

/**
 * The load targets for started servers (`{ key, url, child }`): each with the workload's request
 * prepared against it (a send-message workload creates its session there) and its pid for CPU time.
 * @returns {Promise<LoadTarget[]>}
 */
export async function targetsFor(servers, workload) {
  const targets = [];
  for (const server of servers)
    targets.push({
      key: server.key,
      url: server.url,
      request: await workload.prepare(server.url),
      pid: server.child.pid,
    });
  return targets;
}

/** Runs autocannon once; with `latencies`, appends every response time (ms, fractional) to it. */
function run({ url, request }, connections, durationSeconds, latencies) {
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: url + request.path,
        method: request.method,
        headers: request.headers,
        body: request.body,
        connections,
        duration: durationSeconds,
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
    if (latencies)
      instance.on('response', (_client, _status, _bytes, responseTimeMs) => latencies.push(responseTimeMs));
  });
}

/** Ratios of a's req/s to b's (or of another per-round figure, such as `roundCpuMicros`), round by round. */
export function roundRatios(a, b, figure = 'roundRates') {
  const ratios = a[figure].map((value, round) => value / b[figure][round]).sort((x, y) => x - y);
  const middle = ratios.length >> 1;
  const median = ratios.length % 2 ? ratios[middle] : (ratios[middle - 1] + ratios[middle]) / 2;
  return { median, min: ratios[0], max: ratios.at(-1) };
}

function percentile(sorted, fraction) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))];
}
