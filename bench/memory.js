/**
 * Bench child: memory of stored Feather sessions, measured in the store directly (no HTTP).
 * Each session is made by the mock's own create-session behaviour, exactly as a request would
 * store it, into a Store with the given cap. Prints one JSON line per sample:
 * { inserted, stored, rssBytes, heapUsedBytes }.
 * Usage: node --expose-gc bench/memory.js <sessions> <maxRecords> <samples>
 */
import { randomIds } from '../dist/src/mock/ids.js';
import { systemClock } from '../dist/src/mock/clock.js';
import { Store } from '../dist/src/mock/store.js';
import { createSession } from '../dist/src/apis/feather/behaviours.js';

const [sessions, maxRecords, samples] = process.argv.slice(2).map(Number);
const store = new Store(maxRecords);
const clock = systemClock();
const context = {
  state: store.forTenant('bench-key'),
  ids: randomIds(),
  body: { title: 'Benchmark session' },
  now: clock.now(),
};

const sampleEvery = Math.ceil(sessions / samples);
for (let inserted = 1; inserted <= sessions; inserted++) {
  // A fresh timestamp string per session: the worst case. (The mock shares one string among the
  // requests of a millisecond; at this insert rate that would understate memory.)
  context.now = clock.now();
  context.timestamp = context.now.toISOString();
  const { body } = createSession(context);
  if (inserted === 1) expectComplete(body);
  if (inserted % sampleEvery === 0 || inserted === sessions) report(inserted);
}

/** Guards the figures: a context the behaviour no longer fully understands would store smaller records. */
function expectComplete(session) {
  const missing = ['id', 'title', 'status', 'created_at', 'updated_at'].filter((field) => session?.[field] == null);
  if (missing.length > 0)
    throw new Error(`bench/memory.js: the stored session lacks ${missing.join(', ')}; update the context it builds`);
}

function report(inserted) {
  globalThis.gc?.();
  const { rss, heapUsed } = process.memoryUsage();
  process.stdout.write(`${JSON.stringify({ inserted, stored: store.size, rssBytes: rss, heapUsedBytes: heapUsed })}\n`);
}
