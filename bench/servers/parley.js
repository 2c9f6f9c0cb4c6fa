/**
 * Bench child: the parley mock on the bundled specs, on a free loopback port. Prints `listening on <url>`.
 * PARLEY_MAX_RECORDS, PARLEY_ADMIN_TOKEN, PARLEY_STATE_FILE and PARLEY_API_KEYS (comma-separated) set
 * --max-records, --admin-token, --state-file and --api-key; PARLEY_DIST runs the build in another dist/ directory (another commit's, for bench/compare.js).
 * PARLEY_BENCH_STALLS_FILE: event-loop stalls are noted and written there at exit (see bench/lib/stalls.js).
 * PARLEY_BENCH_SAVES_FILE: each state file save is appended there as it ends (see bench/lib/saves.js;
 * builds without save events write nothing).
 */
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { watchSaves } from '../lib/saves.js';
import { watchStalls } from '../lib/stalls.js';

if (process.env.PARLEY_BENCH_STALLS_FILE) watchStalls(process.env.PARLEY_BENCH_STALLS_FILE);
const root = fileURLToPath(new URL('../..', import.meta.url));
const dist = process.env.PARLEY_DIST || path.join(root, 'dist');
const { startMockServer } = await import(pathToFileURL(path.join(dist, 'src/mock/server.js')).href);
if (process.env.PARLEY_BENCH_SAVES_FILE) {
  const events = await import(pathToFileURL(path.join(dist, 'src/mock/state-save-events.js')).href).catch(() => ({}));
  if (events.STATE_SAVE_CHANNEL) watchSaves(process.env.PARLEY_BENCH_SAVES_FILE, events.STATE_SAVE_CHANNEL);
}
const specFiles = ['feather', 'julep', 'eliza'].map((name) => path.join(root, 'specs', `${name}.yaml`));
const maxRecords = process.env.PARLEY_MAX_RECORDS ? Number(process.env.PARLEY_MAX_RECORDS) : undefined;
const adminToken = process.env.PARLEY_ADMIN_TOKEN || undefined;
const stateFile = process.env.PARLEY_STATE_FILE || undefined;
const apiKeys = process.env.PARLEY_API_KEYS ? process.env.PARLEY_API_KEYS.split(',') : undefined;

const mock = await startMockServer({
  specFiles,
  port: 0,
  host: '127.0.0.1',
  maxRecords,
  adminToken,
  stateFile,
  apiKeys,
});
process.stdout.write(`listening on ${mock.url}\n`);
process.once('SIGTERM', () =>
  mock.close().then(
    () => process.exit(0),
    (error) => {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    },
  ),
);
