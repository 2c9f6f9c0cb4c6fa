/**
 * The parts of a mock a config file supplies (its behaviours as API modules, its fixtures), in one
 * place for every command that starts a mock: `parley mock` (also on each `--watch` reload) and
 * `parley proxy --fallback mock`.
 */
import { BUNDLED_APIS } from '../apis/index.js';
import { loadConfig, type LoadedConfig } from '../config/load.js';
import { CONFIG_FIXTURES, FILE_FIXTURES, Fixtures } from '../mock/fixtures.js';
import type { MockServerOptions } from '../mock/server.js';
import type { ReloadedSources, ReloadSource } from '../mock/watch.js';
import { loadSpecs } from '../openapi/load.js';
import type { Spec } from '../openapi/types.js';
import { bundledSpecFiles } from './bundled-specs.js';
import { withConfigDefaults } from './config-flags.js';
import { MOCK_OPTIONS, mockSettingsFrom, type MockFlagValues } from './mock-settings.js';

export type ConfiguredMockParts = Required<Pick<MockServerOptions, 'apis'>> & Pick<MockServerOptions, 'fixtures'>;

/** The config's modules first (they win), then the bundled ones unless `bundled` is false. */
export function mockPartsFrom(config: LoadedConfig, specs: readonly Spec[], bundled = true): ConfiguredMockParts {
  return {
    apis: [...config.apis(specs), ...(bundled ? BUNDLED_APIS : [])],
    fixtures: config.config.fixtures,
  };
}

/** The spec files of a run: those on the command line, else the config's, else the bundled ones. */
export function specFilesFor(positionals: readonly string[], config: LoadedConfig): string[] {
  const configSpecs = config.specFiles();
  return positionals.length > 0 ? [...positionals] : configSpecs.length > 0 ? configSpecs : bundledSpecFiles();
}

export interface ConfigReloadOptions {
  /** --config as given (undefined: found in the working directory again). */
  named: string | undefined;
  positionals: readonly string[];
  /** The flags given on the command line: they win over the config's `mock` defaults at every reload. */
  commandLine: MockFlagValues;
}

/**
 * `parley mock --watch` with a config: an edit of the config file, of a module it imports, of a
 * spec or of the fixtures file reloads all of them, and the mock is served from the config as it
 * is now: its specs, behaviours, fixtures and `mock` flag defaults (the server applies those that
 * can change while it runs and names the others as needing a restart).
 */
export function configReloadSource(initial: LoadedConfig, options: ConfigReloadOptions): ReloadSource {
  const read = (config: LoadedConfig) => {
    const values = withConfigDefaults(config, 'mock', options.commandLine, MOCK_OPTIONS);
    const specFiles = specFilesFor(options.positionals, config);
    const files = [...config.sourceFiles, ...specFiles, ...(values.fixtures ? [values.fixtures] : [])];
    return { values, specFiles, files };
  };
  return {
    files: read(initial).files,
    load: async () => {
      const config = await loadConfig(options.named);
      // Removed or renamed: serving the bundled specs in its place would be a surprise.
      if (config.file === undefined) throw new Error(`config ${initial.file}: no longer found`);
      const { values, specFiles, files } = read(config);
      const settings = mockSettingsFrom(values);
      const specs = await loadSpecs(specFiles);
      const parts = mockPartsFrom(config, specs, !values['no-bundled']);
      const fixtures: ReloadedSources['fixtures'] = [];
      if (parts.fixtures !== undefined)
        fixtures.push({ source: CONFIG_FIXTURES, from: `config ${config.file} fixtures`, data: parts.fixtures });
      if (values.fixtures)
        fixtures.push({
          source: FILE_FIXTURES,
          from: `fixtures file ${values.fixtures}`,
          data: await Fixtures.readFile(values.fixtures),
        });
      return { specs, apis: parts.apis, fixtures, files, settings };
    },
  };
}
