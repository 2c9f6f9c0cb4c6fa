/**
 * Saves announced on node:diagnostics_channel (STATE_SAVE_CHANNEL): one start and one end per save
 * that writes, with its kind, the file and whether it completed; nothing when there is nothing to save.
 */
import diagnosticsChannel from 'node:diagnostics_channel';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { STATE_SAVE_CHANNEL, type StateSaveEvent } from '../../src/index.js';
import { postJson } from '../helpers/http.js';
import { diskWithWrites, noSpace } from '../helpers/state-disk.js';
import { featherKey, PATHS, startBundledMock } from '../helpers/mock.js';

const events: StateSaveEvent[] = [];
const listen = (message: unknown) => events.push(message as StateSaveEvent);
diagnosticsChannel.subscribe(STATE_SAVE_CHANNEL, listen);
afterEach(() => {
  events.length = 0;
});

const tempFile = async () => path.join(await mkdtemp(path.join(os.tmpdir(), 'parley-save-events-')), 'state.jsonl');
const create = (url: string, title: string) => postJson(url, PATHS.featherSessions, { title }, featherKey('events'));

describe('save events on node:diagnostics_channel', () => {
  it('an append and a compaction each announce a start and a completed end, in order; an idle save announces nothing', async () => {
    const file = await tempFile();
    const mock = await startBundledMock({ stateFile: file, saveIntervalMs: 60_000 });
    try {
      expect((await create(mock.url, 'first')).status).toBe(201);
      expect(await mock.persistence!.saveIfChanged()).toBe(true);
      expect(await mock.persistence!.saveIfChanged()).toBe(false);
      expect((await create(mock.url, 'second')).status).toBe(201);
      await mock.persistence!.compact();
      expect(events.map(({ phase, kind, file: named, ok }) => ({ phase, kind, named, ok }))).toEqual([
        { phase: 'start', kind: 'append', named: file, ok: undefined },
        { phase: 'end', kind: 'append', named: file, ok: true },
        { phase: 'start', kind: 'snapshot', named: file, ok: undefined },
        { phase: 'end', kind: 'snapshot', named: file, ok: true },
      ]);
      const times = events.map((event) => event.atMs);
      expect(times).toEqual([...times].sort((a, b) => a - b));
      expect(Math.abs(times[0] - Date.now())).toBeLessThan(60_000);
    } finally {
      await mock.close();
    }
  });

  it('a save that fails ends with ok: false', async () => {
    const file = await tempFile();
    let full = false;
    const stateFileSystem = diskWithWrites((write, buffer, offset, length, position) =>
      full ? Promise.reject(noSpace()) : write(buffer, offset, length, position),
    );
    const mock = await startBundledMock({
      stateFile: file,
      saveIntervalMs: 60_000,
      stateFileSystem,
      onStateError: () => {},
    });
    try {
      expect((await create(mock.url, 'kept')).status).toBe(201);
      full = true;
      await expect(mock.persistence!.saveIfChanged()).rejects.toThrow(/could not be saved/);
      expect(events.map(({ phase, kind, ok }) => ({ phase, kind, ok }))).toEqual([
        { phase: 'start', kind: 'append', ok: undefined },
        { phase: 'end', kind: 'append', ok: false },
      ]);
    } finally {
      full = false;
      await mock.close();
    }
  });
});
