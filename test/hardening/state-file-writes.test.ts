/**
 * The state file under a failing disk and under load, in process (an injected file system stands in
 * for a full disk): every failed write is reported, the file keeps the last completed save and
 * loads, the final save's failure rejects close() (the CLI exits 1); saves, appends and compactions
 * never hold answers back for long; what the journal and compaction write loads back exactly.
 */
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { describe, expect, it, vi } from 'vitest';
import type { MockServerOptions, RunningMock } from '../../src/mock/server.js';
import { getJson, postJson } from '../helpers/http.js';
import { diskWithWrites, noSpace } from '../helpers/state-disk.js';
import { featherKey, PATHS, startBundledMock } from '../helpers/mock.js';

const ADMIN = { 'x-parley-admin-token': 'writes-admin' };
const tempFile = async () => path.join(await mkdtemp(path.join(os.tmpdir(), 'parley-writes-')), 'state.jsonl');

/** A disk that fills up on demand: once full, a write gets part of its bytes through (a short write), then ENOSPC. */
function fillingDisk() {
  const disk = { full: false, failedWrites: 0, truncates: 0 };
  const fs = diskWithWrites(
    async (write, buffer, offset, length, position) => {
      if (!disk.full) return write(buffer, offset, length, position);
      disk.failedWrites++;
      if (length > 1) return write(buffer, offset, Math.floor(length / 2), position);
      throw noSpace();
    },
    () => disk.truncates++,
  );
  return { disk, fs };
}

/**
 * A state listing as a restart must give it back: each tenant's records with their values in order,
 * and its index entries. Tenants are listed by name, and index entries by key: the file keeps each
 * tenant's order, not how tenants interleave.
 */
function comparable(listing: { tenants: Record<string, unknown>; indexes: Record<string, Record<string, string>> }) {
  return Object.keys(listing.tenants)
    .sort()
    .map((tenant) => [
      tenant,
      listing.tenants[tenant],
      Object.entries(listing.indexes[tenant] ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    ]);
}

async function sessionIds(mock: RunningMock, key: string): Promise<string[]> {
  const state = (await getJson(mock.url, `/__parley/state?tenant=${key}`, ADMIN)).body;
  return Object.keys(state.tenants?.[key]?.['feather.sessions'] ?? {});
}

/** The key's session ids as a mock started again on the same state file holds them. */
async function sessionIdsAfterRestart(options: MockServerOptions, key: string): Promise<string[]> {
  const again = await startBundledMock(options);
  try {
    return await sessionIds(again, key);
  } finally {
    await again.close();
  }
}

describe('a disk that fills up', () => {
  it('a failed append is reported, the file keeps the last save and loads, and the final save rejects close()', async () => {
    const file = await tempFile();
    const { disk, fs } = fillingDisk();
    const errors: Error[] = [];
    const mock = await startBundledMock({
      stateFile: file,
      adminToken: ADMIN['x-parley-admin-token'],
      stateFileSystem: fs,
      onStateError: (e) => errors.push(e),
      saveIntervalMs: 60_000,
    });
    const kept = await postJson(
      mock.url,
      PATHS.featherSessions,
      { title: 'saved before the disk filled' },
      featherKey('k'),
    );
    expect(await mock.persistence!.saveIfChanged()).toBe(true);
    const before = await readFile(file, 'utf8');

    disk.full = true;
    const lost = await postJson(mock.url, PATHS.featherSessions, { title: 'x'.repeat(5_000) }, featherKey('k'));
    expect(lost.status).toBe(201);
    await expect(mock.persistence!.saveIfChanged()).rejects.toThrow(
      /state file .*state\.jsonl: could not be saved \((short write|ENOSPC)/,
    );
    expect(disk.failedWrites).toBeGreaterThan(0);
    // The partial batch was cut off again: the file is exactly the last completed save.
    expect(await readFile(file, 'utf8')).toBe(before);
    // A compaction on a full disk fails the same way and leaves no temporary file behind.
    await mock.persistence!.compact();
    expect(errors.map((e) => e.message).join('\n')).toMatch(/could not be saved/);
    expect((await readdir(path.dirname(file))).sort()).toEqual(['state.jsonl', 'state.jsonl.lock']);
    expect(await readFile(file, 'utf8')).toBe(before);

    // Still full at shutdown: close() rejects (the CLI turns that into exit code 1) and releases the lock.
    await expect(mock.close()).rejects.toThrow(/could not be saved/);
    expect(await readdir(path.dirname(file))).toEqual(['state.jsonl']);
    expect(await readFile(file, 'utf8')).toBe(before);

    expect(await sessionIdsAfterRestart({ stateFile: file, adminToken: ADMIN['x-parley-admin-token'] }, 'k')).toEqual([
      kept.body.id,
    ]);
  });

  it('once space is back, the next save writes everything the failed one missed', async () => {
    const file = await tempFile();
    const { disk, fs } = fillingDisk();
    const mock = await startBundledMock({
      stateFile: file,
      adminToken: ADMIN['x-parley-admin-token'],
      stateFileSystem: fs,
      onStateError: () => undefined,
      saveIntervalMs: 60_000,
    });
    disk.full = true;
    const first = await postJson(mock.url, PATHS.featherSessions, { title: 'during' }, featherKey('k'));
    await expect(mock.persistence!.saveIfChanged()).rejects.toThrow(/could not be saved/);
    disk.full = false;
    const second = await postJson(mock.url, PATHS.featherSessions, { title: 'after' }, featherKey('k'));
    await mock.close();

    expect(
      (await sessionIdsAfterRestart({ stateFile: file, adminToken: ADMIN['x-parley-admin-token'] }, 'k')).sort(),
    ).toEqual([first.body.id, second.body.id].sort());
  });

  it('a batch that failed goes back before what changed while it was written: a restart keeps the order records were made in', async () => {
    const file = await tempFile();
    let release: (() => void) | undefined;
    let full = false;
    // A disk that holds a write until released, then refuses it (ENOSPC), while it is full.
    const stateFileSystem = diskWithWrites(async (write, buffer, offset, length, position) => {
      if (!full) return write(buffer, offset, length, position);
      await new Promise<void>((resolve) => (release = resolve));
      throw noSpace();
    });
    const options = { stateFile: file, adminToken: ADMIN['x-parley-admin-token'], saveIntervalMs: 60_000 };
    const mock = await startBundledMock({ ...options, stateFileSystem, onStateError: () => undefined });
    const create = (title: string) => postJson(mock.url, PATHS.featherSessions, { title }, featherKey('k'));
    const made = [(await create('one')).body.id, (await create('two')).body.id];
    full = true;
    const saving = mock.persistence!.saveIfChanged();
    // Made while the save waits on the disk: after the batch it is writing was taken.
    made.push((await create('three')).body.id);
    await vi.waitFor(() => expect(release).toBeDefined());
    full = false;
    release!();
    await expect(saving).rejects.toThrow(/could not be saved/);
    await mock.close();

    expect(await sessionIdsAfterRestart(options, 'k')).toEqual(made);
  });
});

describe('files from elsewhere', () => {
  const header = (version: number) =>
    JSON.stringify({
      format: 'parley-state',
      version,
      savedAt: new Date().toISOString(),
      clockOffsetMs: 0,
      fixtures: {},
    });
  const record = (id: string) =>
    JSON.stringify({ record: ['k', 'feather.sessions', id, { id, title: id, status: 'active', messages: [] }] });
  const ID = [
    '00000000-0000-4000-8000-000000000001',
    '00000000-0000-4000-8000-000000000002',
    '00000000-0000-4000-8000-000000000003',
  ];

  // Each end marker and commit line carries the CRC-32 of the bytes since the previous one.
  const snapshot = `${header(3)}\n${record(ID[0])}\n`;
  const batch = `${record(ID[1])}\n`;
  const complete = `${snapshot}{"end":{"records":1,"indexes":0,"crc32":${crc32(snapshot)}}}\n${batch}{"commit":{"lines":1,"crc32":${crc32(batch)}}}\n`;
  const cutShort: [string, string][] = [
    ['in a line', `${record(ID[2])}\n{"deleted":["k","feather.sess`],
    ['in its commit line', `${record(ID[2])}\n{"commit":{"li`],
    ['after its last line, before the commit', `${record(ID[2])}\n`],
    ['in the first batch after the snapshot', ''],
  ];
  for (const [where, tail] of cutShort) {
    it(`a batch cut short ${where} by a crash is left out with a warning and cut off the file; what came before counts`, async () => {
      const file = await tempFile();
      const kept = tail === '' ? complete.slice(0, complete.indexOf(record(ID[1]))) : complete;
      await writeFile(file, kept + (tail === '' ? `${record(ID[1])}\n{"rec` : tail));
      const warnings: string[] = [];
      const mock = await startBundledMock({
        stateFile: file,
        adminToken: ADMIN['x-parley-admin-token'],
        onStateError: (e) => warnings.push(e.message),
      });
      try {
        expect((await sessionIds(mock, 'k')).sort()).toEqual(tail === '' ? [ID[0]] : [ID[0], ID[1]]);
        expect(warnings.join('\n')).toMatch(/the last \d+ bytes are a save that did not finish/);
        expect(await readFile(file, 'utf8')).toBe(kept);
      } finally {
        await mock.close();
      }
    });
  }

  it('a version 1 file (snapshot only) is loaded and rewritten in the current format', async () => {
    const file = await tempFile();
    await writeFile(file, `${[header(1), record(ID[0]), '{"end":{"records":1,"indexes":0}}'].join('\n')}\n`);
    const mock = await startBundledMock({ stateFile: file, adminToken: ADMIN['x-parley-admin-token'] });
    try {
      expect(await sessionIds(mock, 'k')).toEqual([ID[0]]);
      expect(JSON.parse((await readFile(file, 'utf8')).split('\n')[0]).version).toBe(3);
    } finally {
      await mock.close();
    }
  });

  it('a version 2 file (journal without checksums) is loaded, every line parsed, and rewritten with checksums', async () => {
    const file = await tempFile();
    const lines = [
      header(2),
      record(ID[0]),
      '{"end":{"records":1,"indexes":0}}',
      record(ID[1]),
      '{"commit":{"lines":1}}',
    ];
    await writeFile(file, `${lines.join('\n')}\n`);
    const mock = await startBundledMock({ stateFile: file, adminToken: ADMIN['x-parley-admin-token'] });
    try {
      expect((await sessionIds(mock, 'k')).sort()).toEqual([ID[0], ID[1]]);
      const written = (await readFile(file, 'utf8')).split('\n');
      expect(JSON.parse(written[0]!).version).toBe(3);
      expect(JSON.parse(written.find((line) => line.startsWith('{"end"'))!).end.crc32).toEqual(expect.any(Number));
    } finally {
      await mock.close();
    }
    // A version 2 file is checked line by line: a damaged record is still refused.
    await writeFile(file, `${[...lines.slice(0, 3), '{"record":["k"', lines[4]].join('\n')}\n`);
    await expect(startBundledMock({ stateFile: file })).rejects.toThrow(/corrupt at line 4: not valid JSON/);
  });
});

describe('the journal and compaction', () => {
  it('appends, deletes, resets, in-place changes, clock and fixtures survive a compaction and a restart exactly', async () => {
    const file = await tempFile();
    const mock = await startBundledMock({
      stateFile: file,
      adminToken: ADMIN['x-parley-admin-token'],
      saveIntervalMs: 60_000,
    });
    const a = await postJson(mock.url, PATHS.featherSessions, { title: 'a' }, featherKey('k'));
    await postJson(mock.url, PATHS.featherSessions, { title: 'gone with the reset' }, featherKey('other'));
    await mock.persistence!.saveIfChanged();
    await postJson(mock.url, PATHS.featherMessages(a.body.id), { content: 'in place' }, featherKey('k'));
    expect((await postJson(mock.url, '/__parley/reset?tenant=other', {}, ADMIN)).status).toBe(200);
    await postJson(mock.url, '/__parley/clock', { advanceMinutes: 5 }, ADMIN);
    await mock.persistence!.saveIfChanged();
    await mock.persistence!.compact();
    await postJson(mock.url, PATHS.featherMessages(a.body.id), { content: 'after the compaction' }, featherKey('k'));
    const expected = (await getJson(mock.url, '/__parley/state', ADMIN)).body;
    expect(Object.keys(expected.tenants)).toEqual(['k']);
    expect(expected.tenants.k['feather.sessions'][a.body.id].messages).toHaveLength(4);
    await mock.close();

    const text = await readFile(file, 'utf8');
    // The compaction folded the journal into a new snapshot; only the last change follows it.
    expect(text.split('\n').filter((line) => line.startsWith('{"commit"'))).toHaveLength(1);
    const again = await startBundledMock({ stateFile: file, adminToken: ADMIN['x-parley-admin-token'] });
    try {
      expect((await getJson(again.url, '/__parley/state', ADMIN)).body).toEqual(expected);
      expect((await getJson(again.url, '/__parley/clock', ADMIN)).body.offsetMs).toBe(5 * 60_000);
    } finally {
      await again.close();
    }
  });

  it('compacts once most record lines are outdated, and never for inserts alone', async () => {
    const file = await tempFile();
    const mock = await startBundledMock({
      stateFile: file,
      adminToken: ADMIN['x-parley-admin-token'],
      saveIntervalMs: 60_000,
    });
    try {
      const { store } = mock.app.parts;
      const fill = (round: number, from: number, count: number) => {
        for (let i = from; i < from + count; i++) {
          const id = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
          store.put('bulk', 'feather.sessions', id, {
            id,
            title: `round ${round} ${'x'.repeat(400)}`,
            status: 'active',
            messages: [],
          });
        }
      };
      const lines = async () => (await readFile(file, 'utf8')).split('\n');
      // Inserts only, 10 MiB in four saves: each record written once, no new snapshot.
      for (let batch = 0; batch < 4; batch++) {
        fill(0, batch * 5_000, 5_000);
        await mock.persistence!.saveIfChanged();
      }
      expect((await lines()).filter((line) => line.startsWith('{"commit"'))).toHaveLength(4);
      // Every record rewritten twice: two thirds of the record lines are outdated, so a compaction follows the save.
      fill(1, 0, 20_000);
      await mock.persistence!.saveIfChanged();
      fill(2, 0, 20_000);
      await mock.persistence!.saveIfChanged();
      const deadline = Date.now() + 30_000;
      let text = await lines();
      while (text.filter((line) => line.startsWith('{"record"')).length > 20_000 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        text = await lines();
      }
      expect(text.filter((line) => line.startsWith('{"record"'))).toHaveLength(20_000);
      expect(text.filter((line) => line.includes('round 2'))).toHaveLength(20_000);
    } finally {
      await mock.close();
    }
  }, 60_000);

  it('a mock at its record cap comes back with exactly the records it held, in their order', async () => {
    const file = await tempFile();
    const maxRecords = 20_000; // past one table of the sharded maps, so a batch's names come out of creation order
    const options = { stateFile: file, adminToken: ADMIN['x-parley-admin-token'], saveIntervalMs: 60_000, maxRecords };
    const mock = await startBundledMock(options);
    const { store } = mock.app.parts;
    const put = (i: number) => {
      const id = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
      store.put('capped', 'feather.sessions', id, { id, title: `session ${i}`, status: 'active', messages: [] });
    };
    let before: string[];
    try {
      for (let i = 0; i < maxRecords; i++) put(i);
      await mock.persistence!.saveIfChanged();
      // Each of these evicts the oldest record: the next batch names 10,000 creations and 10,000 deletions.
      for (let i = maxRecords; i < maxRecords + 10_000; i++) put(i);
      const created = await postJson(mock.url, PATHS.featherSessions, { title: 'over HTTP' }, featherKey('capped'));
      expect(created.status).toBe(201);
      before = await sessionIds(mock, 'capped');
      expect(before).toHaveLength(maxRecords);
      expect(before).toContain(created.body.id);
    } finally {
      await mock.close();
    }
    // In the same order too: a batch of 20,000 names is written in the order they changed.
    expect(await sessionIdsAfterRestart(options, 'capped')).toEqual(before);
  }, 60_000);

  it.each([1, 2, 3, 4])(
    'seed %i: random creates, changes, deletions, index entries and resets past the record cap, with saves and a compaction under way, come back after a restart exactly',
    async (seed) => {
      let state = (seed * 2654435761) >>> 0;
      const random = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32;
      const options = {
        stateFile: await tempFile(),
        adminToken: ADMIN['x-parley-admin-token'],
        saveIntervalMs: 60_000,
        maxRecords: 12_000,
      };
      const mock = await startBundledMock(options);
      const { store } = mock.app.parts;
      const made: [string, string][] = [];
      const some = () => made[Math.floor(random() * made.length)];
      let before: unknown;
      let compacting: Promise<void> | undefined;
      try {
        // Mostly one tenant, so a batch holds tens of thousands of its names and evictions at the cap.
        for (let step = 0; step < 80_000; step++) {
          const roll = random();
          const tenant = random() < 0.9 ? 'a' : random() < 0.5 ? 'b' : 'c';
          if (roll < 0.6 || made.length === 0) {
            made.push([tenant, `id-${step}`]);
            store.put(tenant, 'things', `id-${step}`, { step, text: 'x'.repeat(Math.floor(random() * 20)) });
          } else if (roll < 0.75) {
            const [owner, id] = some();
            if (store.get(owner, 'things', id)) store.put(owner, 'things', id, { step: -step });
          } else if (roll < 0.85) {
            const [owner, id] = some();
            store.delete(owner, 'things', id);
          } else if (roll < 0.9998) {
            const [owner, id] = some();
            if (store.get(owner, 'things', id)) store.remember(owner, `key-${step}`, id);
          } else store.reset('c');
          // A save every 20,000 steps; a compaction starts on the way and runs through the next saves.
          if (step % 20_000 === 19_999) await mock.persistence!.saveIfChanged();
          if (step === 35_000) compacting = mock.persistence!.compact();
        }
        await compacting;
        before = comparable((await getJson(mock.url, '/__parley/state', ADMIN)).body);
      } finally {
        await mock.close();
      }
      const again = await startBundledMock(options);
      try {
        expect(comparable((await getJson(again.url, '/__parley/state', ADMIN)).body)).toEqual(before);
      } finally {
        await again.close();
      }
    },
    60_000,
  );

  it('a save of 100,000 records never holds answers back for long (a guard, not a timing claim), and what changed meanwhile is kept', async () => {
    const file = await tempFile();
    const mock = await startBundledMock({
      stateFile: file,
      adminToken: ADMIN['x-parley-admin-token'],
      saveIntervalMs: 60_000,
    });
    const createdWhileSaving: string[] = [];
    try {
      const { store } = mock.app.parts;
      const stamp = new Date().toISOString();
      for (let i = 0; i < 100_000; i++) {
        const id = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
        store.put('bulk', 'feather.sessions', id, {
          id,
          title: `session ${i}`,
          status: 'active',
          created_at: stamp,
          updated_at: stamp,
          messages: [],
        });
      }
      for (const [name, save] of [
        ['append', () => mock.persistence!.saveIfChanged()],
        ['compaction', () => mock.persistence!.compact()],
      ] as const) {
        let saving = true;
        const started = performance.now();
        const done = save().finally(() => (saving = false));
        const waits: number[] = [];
        let appendsDuring = 0;
        // Four clients, each sending one request after another while the save runs.
        const client = async () => {
          while (saving) {
            const sent = performance.now();
            const created = await postJson(mock.url, PATHS.featherSessions, { title: 'while saving' }, featherKey('k'));
            waits.push(performance.now() - sent);
            expect(created.status).toBe(201);
            createdWhileSaving.push(created.body.id);
            // Appends go on during a compaction (to the old file); the new file must get them too.
            if (waits.length % 4 === 0 && saving) {
              await mock.persistence!.saveIfChanged();
              appendsDuring++;
            }
          }
        };
        await Promise.all([client(), client(), client(), client()]);
        await done;
        const took = performance.now() - started;
        // Written in one piece on the event loop, this save would hold every answer for all of `took`.
        expect(waits.length, name).toBeGreaterThan(4);
        expect(
          Math.max(...waits),
          `${name} took ${took.toFixed(0)} ms; waits ${waits.map((w) => w.toFixed(0)).join(' ')}`,
        ).toBeLessThan(Math.max(250, took / 3));
        if (name === 'compaction') expect(appendsDuring).toBeGreaterThan(0);
      }
    } finally {
      await mock.close();
    }
    const again = await startBundledMock({ stateFile: file, adminToken: ADMIN['x-parley-admin-token'] });
    try {
      expect(again.app.parts.store.size).toBe(100_000 + createdWhileSaving.length);
      expect((await sessionIds(again, 'k')).sort()).toEqual(createdWhileSaving.sort());
    } finally {
      await again.close();
    }
  }, 60_000);
});
