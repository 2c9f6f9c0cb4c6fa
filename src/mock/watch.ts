/**
 * `parley mock --watch`: spec and fixtures files edited on disk are served from the next request on,
 * without a restart and with the state kept. An edit that does not load leaves the last good specs
 * in service and says why (console and dashboard) until a later edit loads.
 */
import { watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import { loadSpecs } from '../openapi/load.js';
import type { MockApp } from './app.js';
import { Fixtures, type FixtureData } from './fixtures.js';

/** Editors write a file in several steps (truncate, write, rename): wait for them to settle. */
const SETTLE_MS = 100;

export interface WatchReport {
  reloaded(files: string[]): void;
  failed(message: string): void;
}

export interface SpecWatcher {
  close(): void;
}

export function watchSpecs(
  app: MockApp,
  specFiles: readonly string[],
  fixturesFile: string | undefined,
  report: WatchReport,
): SpecWatcher {
  const files = [...specFiles, ...(fixturesFile ? [fixturesFile] : [])].map((file) => path.resolve(file));
  const watched = new Set(files);
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;

  const reload = async (): Promise<void> => {
    try {
      // Both loaded before either is used: a broken fixtures file keeps the old specs too.
      const specs = await loadSpecs([...specFiles]);
      const fixtures = fixturesFile ? await readFixtures(app, fixturesFile) : undefined;
      app.replaceSpecs(specs);
      if (fixtures) app.parts.fixtures.merge(fixtures);
      report.reloaded(files);
    } catch (error) {
      const message = (error as Error).message;
      app.reloadStatus = { ...app.reloadStatus, error: message };
      report.failed(message);
    }
    app.feed.broadcast('reload', app.reloadStatus);
  };

  const run = () => {
    timer = undefined;
    if (running) {
      again = true;
      return;
    }
    running = reload().finally(() => {
      running = undefined;
      if (again) {
        again = false;
        run();
      }
    });
  };

  const changed = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(run, SETTLE_MS);
  };

  // Directories, not files: an editor that saves by renaming a new file over the old one would end a watch on the file.
  const watchers: FSWatcher[] = [...new Set(files.map((file) => path.dirname(file)))].map((dir) =>
    watch(dir, (_event, name) => {
      if (name === null || watched.has(path.join(dir, name.toString()))) changed();
    }),
  );
  for (const watcher of watchers) watcher.on('error', (error) => report.failed(`watching stopped: ${error.message}`));

  return {
    close: () => {
      for (const watcher of watchers) watcher.close();
      if (timer) clearTimeout(timer);
    },
  };
}

/** A fixtures file checked against the kinds the mock knows, before anything is replaced. */
async function readFixtures(app: MockApp, file: string): Promise<FixtureData> {
  const data = await Fixtures.readFile(file);
  try {
    return app.parts.fixtures.parse(data);
  } catch (error) {
    throw new Error(`fixtures file ${file}: ${(error as Error).message}`);
  }
}
