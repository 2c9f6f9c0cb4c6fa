/**
 * `parley mock --watch`: spec, fixtures and config files edited on disk are served from the next
 * request on, without a restart and with the state kept. An edit that does not load leaves the last
 * good specs (and behaviours) in service and says why (console and dashboard) until a later edit loads.
 */
import { watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import type { ApiModule } from '../apis/api-module.js';
import { loadSpecs } from '../openapi/load.js';
import type { Spec } from '../openapi/types.js';
import { controlsOf } from './admin.js';
import type { MockApp } from './app.js';
import { FILE_FIXTURES, Fixtures, type FixtureLayer } from './fixtures.js';
import type { LiveSettings } from './live-settings.js';
import type { MockServerOptions } from './server.js';

/** Editors write a file in several steps (truncate, write, rename): wait for them to settle. */
const SETTLE_MS = 100;

export interface WatchReport {
  /** A reload served; `restartToApply` names the flags whose new config value needs a restart. */
  reloaded(files: string[], restartToApply: string[]): void;
  failed(message: string): void;
}

export interface SpecWatcher {
  close(): void;
}

/** What a reload read: everything is loaded and checked before any of it is served. */
export interface ReloadedSources {
  specs: Spec[];
  /** API modules to serve the specs with; absent: the ones in service stay. */
  apis?: readonly ApiModule[];
  /**
   * Fixture data by source, in order, each with where it came from (for messages): it replaces
   * what these sources gave before (records taken out of a file go, a client's stay).
   */
  fixtures: (FixtureLayer & { from: string })[];
  /** Server settings from the config's flag defaults, merged with the command line; absent: none change. */
  settings?: Partial<MockServerOptions>;
  /** The files to watch from now on (a config may name other files after an edit). */
  files: readonly string[];
}

/** Where the mock's specs and parts come from on disk. */
export interface ReloadSource {
  /** The files watched at start. */
  readonly files: readonly string[];
  /** Reads them all anew; throws with a readable message when something does not load. */
  load(): Promise<ReloadedSources>;
}

/** Spec files and an optional fixtures file, as `parley mock <specs> --fixtures <file>` names them. */
export function fileSource(specFiles: readonly string[], fixturesFile: string | undefined): ReloadSource {
  const files = [...specFiles, ...(fixturesFile ? [fixturesFile] : [])];
  return {
    files,
    load: async () => ({
      specs: await loadSpecs([...specFiles]),
      fixtures: fixturesFile
        ? [
            {
              source: FILE_FIXTURES,
              from: `fixtures file ${fixturesFile}`,
              data: await Fixtures.readFile(fixturesFile),
            },
          ]
        : [],
      files,
    }),
  };
}

export function watchSpecs(
  app: MockApp,
  source: ReloadSource,
  report: WatchReport,
  settings?: LiveSettings,
): SpecWatcher {
  let watched = new Set(source.files.map((file) => path.resolve(file)));
  const watchers = new Map<string, FSWatcher>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;

  const reload = async (): Promise<void> => {
    try {
      // All loaded and checked before any is used: a broken fixtures or config file keeps the old specs too.
      const loaded = await source.load();
      for (const { from, data } of loaded.fixtures) checkedFixtures(app, from, data);
      app.replaceSpecs(loaded.specs, loaded.apis);
      app.parts.fixtures.replaceSources(loaded.fixtures);
      const controls = JSON.stringify(controlsOf(app));
      const restartToApply = loaded.settings && settings ? settings.apply(loaded.settings) : [];
      if (JSON.stringify(controlsOf(app)) !== controls) app.feed.broadcast('controls', controlsOf(app));
      app.reloadStatus = { ...app.reloadStatus, ...(restartToApply.length > 0 ? { restartToApply } : {}) };
      watched = new Set(loaded.files.map((file) => path.resolve(file)));
      watchFolders();
      report.reloaded([...watched], restartToApply);
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

  // Folders, not files: an editor that saves by renaming a new file over the old one would end a watch on the file.
  const watchFolders = () => {
    for (const dir of new Set([...watched].map((file) => path.dirname(file)))) {
      if (watchers.has(dir)) continue;
      const watcher = watch(dir, (_event, name) => {
        if (name === null || watched.has(path.join(dir, name.toString()))) changed();
      });
      watcher.on('error', (error) => report.failed(`watching stopped: ${error.message}`));
      watchers.set(dir, watcher);
    }
  };
  watchFolders();

  return {
    close: () => {
      for (const watcher of watchers.values()) watcher.close();
      if (timer) clearTimeout(timer);
    },
  };
}

/** Fixture data checked against the kinds the mock knows, before anything is replaced. */
function checkedFixtures(app: MockApp, from: string, data: unknown): void {
  try {
    app.parts.fixtures.parse(data);
  } catch (error) {
    throw new Error(`${from}: ${(error as Error).message}`);
  }
}
