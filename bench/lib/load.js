/** Loads one target with autocannon: a short warm-up, then the measured run with the same settings. */
import autocannon from 'autocannon';

/**
 * @param {string} url  base URL of the server
 * @param {{ method: string, path: string, headers: Record<string, string>, body?: string }} request
 * @param {{ connections: number, durationSeconds: number, warmupSeconds: number }} settings
 */
export async function load(url, request, { connections, durationSeconds, warmupSeconds }) {
  const options = { url: url + request.path, method: request.method, headers: request.headers, body: request.body, connections };
  if (warmupSeconds > 0) await run({ ...options, duration: warmupSeconds });
  const result = await run({ ...options, duration: durationSeconds });
  return {
    requestsPerSecond: result.requests.total / durationSeconds,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    // Anything but the documented success is a broken workload, not a fast one.
    failures: result.non2xx + result.errors + result.timeouts,
    total: result.requests.total,
  };
}

function run(options) {
  return new Promise((resolve, reject) => {
    autocannon(options, (error, result) => (error ? reject(error) : resolve(result)));
  });
}
