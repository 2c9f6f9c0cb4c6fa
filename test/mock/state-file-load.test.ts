/**
 * Loading a checksummed state file: records kept as text across read-buffer boundaries, lines longer
 * than the buffer, non-ASCII text and names with escapes (parsed the slow way), and a byte changed
 * anywhere found by the checksums. Files are written by the real writers (snapshot, then a journal
 * batch), so the checksums computed across write slices are checked too.
 */
import { mkdtemp, open, readFile, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ChangeSet } from '../../src/mock/state-changes.js';
import { loadStateFile, StateFileError, writeSnapshot } from '../../src/mock/state-file.js';
import { nodeFileSystem, SlicedWriter } from '../../src/mock/state-io.js';
import { Store, type StoredRecord } from '../../src/mock/store.js';

const tempFile = async () => path.join(await mkdtemp(path.join(os.tmpdir(), 'parley-load-')), 'state.jsonl');

/** Records of every kind the fast path must keep intact or hand to the slow one. */
function fill(store: Store, count: number, seed: string): Map<string, [string, string, string, StoredRecord]> {
  const written = new Map<string, [string, string, string, StoredRecord]>();
  const put = (tenant: string, collection: string, id: string, record: StoredRecord) => {
    store.put(tenant, collection, id, record);
    written.set(`${tenant}/${collection}/${id}`, [tenant, collection, id, record]);
  };
  for (let index = 0; index < count; index++) {
    const tenant = index % 7 === 0 ? 'key-b' : 'key-a';
    const title = index % 11 === 0 ? `Sitzung über Grüße ${seed} ✓ ${index}` : `session ${seed} ${index}`;
    put(tenant, 'sessions', `${seed}-${index}`, { id: `${seed}-${index}`, title, body: 'x'.repeat(index % 300) });
  }
  put('a "quoted" key\\', 'col\nlection', `${seed}-escaped`, { id: 'escaped', note: 'names with escapes' });
  // Names that start like the ones before them: the loader reuses a line's names only for the same bytes.
  put('key-ab', 'sessions', `${seed}-longer-tenant`, { id: 'longer tenant' });
  put('key-a', 'sessions-2', `${seed}-longer-collection`, { id: 'longer collection' });
  put('key-a', 'big', `${seed}-big`, { id: 'big', text: 'y'.repeat(3 * 1024 * 1024) });
  return written;
}

async function writeFileWithJournal(file: string) {
  const store = new Store({ maxRecords: 100_000 });
  const snapshotRecords = fill(store, 6_000, 'snap');
  await writeSnapshot(nodeFileSystem, file, { store, clockOffsetMs: 0, fixturesJson: '{}' });
  const changes = new ChangeSet();
  store.observe(changes);
  const journalRecords = fill(store, 4_000, 'journal');
  const handle = await open(file, 'r+');
  try {
    await changes.write(new SlicedWriter(handle, (await stat(file)).size), store);
  } finally {
    await handle.close();
  }
  return new Map([...snapshotRecords, ...journalRecords]);
}

describe('loading a checksummed state file', () => {
  it('brings every record back exactly, plain ones still as text until read', async () => {
    const file = await tempFile();
    const written = await writeFileWithJournal(file);
    expect((await stat(file)).size).toBeGreaterThan(4 * 1024 * 1024);
    const store = new Store({ maxRecords: 100_000 });
    const loaded = await loadStateFile(file, store);
    expect(loaded?.unfinishedBytes).toBe(0);
    expect(store.size).toBe(written.size);
    expect(typeof store.held('key-a', 'sessions', 'snap-1')).toBe('string');
    for (const [tenant, collection, id, record] of written.values()) {
      expect(store.get(tenant, collection, id), `${tenant}/${collection}/${id}`).toEqual(record);
    }
  });

  it('refuses a file with one byte changed anywhere, naming the line that closes the damaged part', async () => {
    const file = await tempFile();
    await writeFileWithJournal(file);
    const valid = await readFile(file, 'utf8');
    const lines = valid.split('\n');
    const endLine = lines.findIndex((line) => line.startsWith('{"end"')) + 1;
    const commitLine = lines.findIndex((line) => line.startsWith('{"commit"')) + 1;
    for (const [target, closingLine, what] of [
      ['session snap 4000', endLine, 'snapshot'],
      ['session journal 3000', commitLine, 'journal batch'],
    ] as const) {
      await writeFile(file, valid.replace(target, target.replace('s', 'S')));
      const error = await loadStateFile(file, new Store({ maxRecords: 100_000 })).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(StateFileError);
      expect((error as Error).message).toContain(
        `corrupt at line ${closingLine}: the ${what} ending here does not match its checksum`,
      );
    }
  });
});
