/**
 * Memory: bench/memory.js in fresh children (1,000,000 sessions, then twice that under a 1,000,000
 * cap), and the same cap seen through HTTP on a mock started with a small --max-records.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loadSideBySide } from './load.js';
import { peakRssBytes, stopServer } from './processes.js';
import { TARGETS } from './targets.js';
import { WORKLOADS } from './workloads.js';

const script = fileURLToPath(new URL('../memory.js', import.meta.url));

const RUNS = [
  { label: '1M sessions, cap 1M', sessions: 1_000_000, maxRecords: 1_000_000, samples: 4 },
  { label: '2M inserts, cap 1M', sessions: 2_000_000, maxRecords: 1_000_000, samples: 4 },
];

export async function measureMemory() {
  const results = [];
  for (const run of RUNS) {
    const samples = await sample(run);
    results.push({ ...run, samples, finalRssBytes: samples.at(-1).rssBytes });
  }
  return results;
}

function sample({ sessions, maxRecords, samples }) {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--expose-gc', script, String(sessions), String(maxRecords), String(samples)],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`memory.js exited with ${code}`));
      resolve(
        output
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line)),
      );
    });
  });
}

const HTTP_CAP = 5_000;
const ADMIN_TOKEN = 'bench-admin';

/** Loads create-session into a mock capped at HTTP_CAP records, then asks it how many it holds. */
export async function measureCapOverHttp(durationSeconds) {
  const mock = await TARGETS.parley.start(undefined, undefined, {
    PARLEY_MAX_RECORDS: String(HTTP_CAP),
    PARLEY_ADMIN_TOKEN: ADMIN_TOKEN,
  });
  try {
    const request = await WORKLOADS[0].prepare(mock.url);
    const result = (
      await loadSideBySide([{ key: 'parley', url: mock.url, request }], {
        connections: 64,
        durationSeconds,
        warmupSeconds: 0,
        rounds: 1,
      })
    ).get('parley');
    const health = await (
      await fetch(`${mock.url}/__parley/health`, { headers: { 'x-parley-admin-token': ADMIN_TOKEN } })
    ).json();
    return {
      maxRecords: HTTP_CAP,
      created: result.total,
      stored: health.records,
      peakRssBytes: peakRssBytes(mock.child.pid),
    };
  } finally {
    await stopServer(mock.child);
  }
}
