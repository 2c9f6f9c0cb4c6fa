/**
 * `node bench/store-stalls.js`: the longest single `Store.put` while one collection grows to N records
 * (PARLEY_BENCH_STALL_RECORDS, default 1,000,000) with the state file's change set observing, as during
 * a fill with `--state-file`. Measured as process CPU per put, so a busy machine's waits for a core do
 * not count; prints the worst put and every put over 5 ms with the record count it happened at (a
 * table rehashing or an array growing shows at the same counts run after run; a GC lands anywhere).
 * PARLEY_DIST runs another build (another commit's dist/ directory), for a side-by-side.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = process.env.PARLEY_DIST || path.join(root, 'dist');
const load = (module) => import(pathToFileURL(path.join(dist, module)).href);
const { Store } = await load('src/mock/store.js');
const { ChangeSet } = await load('src/mock/state-changes.js');

const records = Number(process.env.PARLEY_BENCH_STALL_RECORDS || 1_000_000);
const ids = Array.from({ length: records }, () => randomUUID());
const store = new Store(records);
store.observe(new ChangeSet());
const slow = [];
let worstMs = 0;
for (let at = 0; at < records; at++) {
  const before = process.cpuUsage();
  store.put('bench-key', 'feather.sessions', ids[at], { id: ids[at], title: 'Benchmark session', messages: [] });
  const spent = process.cpuUsage(before);
  const ms = (spent.user + spent.system) / 1000;
  worstMs = Math.max(worstMs, ms);
  if (ms > 5) slow.push(`${at}: ${ms.toFixed(0)} ms`);
}
process.stdout.write(`${dist}\nworst put ${worstMs.toFixed(1)} ms of CPU; over 5 ms at ${slow.join(', ') || 'none'}\n`);
