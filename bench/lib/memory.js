/** Runs bench/memory.js in fresh children: 1,000,000 sessions, then twice that under a 1,000,000 cap. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

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
    const child = spawn(process.execPath, ['--expose-gc', script, String(sessions), String(maxRecords), String(samples)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`memory.js exited with ${code}`));
      resolve(output.trim().split('\n').map((line) => JSON.parse(line)));
    });
  });
}
