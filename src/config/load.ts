/**
 * Finds and loads a config file: `--config <file>`, or the first parley.config.{ts,mts,mjs,js,json}
 * in the working directory. TypeScript and ESM configs load through jiti; JSON is parsed. Every
 * problem (missing file, syntax, a bad key or type) is a ConfigError, which the CLI reports with exit 2.
 */
import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ApiModule } from '../apis/api-module.js';
import type { ApiContract } from '../contract/api-contract.js';
import { UsageError } from '../cli/usage-error.js';
import type { Spec } from '../openapi/types.js';
import { checkConfig, checkContract, ConfigShapeError } from './validate.js';
import type { CommandSection, FlagDefaults, ParleyConfig, SpecEntry } from './types.js';

export const CONFIG_FILE_NAMES = [
  'parley.config.ts',
  'parley.config.mts',
  'parley.config.mjs',
  'parley.config.js',
  'parley.config.json',
];

/** A config or --contract file that cannot be used: a usage error (exit 2) naming the file. */
export class ConfigError extends UsageError {
  override name = 'ConfigError';
}

/** A config file as loaded: its contents with paths resolved against its folder. */
export class LoadedConfig {
  constructor(
    /** Absolute path, or undefined when there is no config file. */
    readonly file: string | undefined,
    readonly config: ParleyConfig,
    /** The config file and the local modules it imports: what `parley mock --watch` watches. */
    readonly sourceFiles: readonly string[] = file ? [file] : [],
  ) {}

  static readonly NONE = new LoadedConfig(undefined, {});

  /** The spec files it lists, resolved against its folder. */
  specFiles(): string[] {
    return (this.config.specs ?? []).map((entry) => this.resolve(typeof entry === 'string' ? entry : entry.file));
  }

  flagDefaults(section: CommandSection): FlagDefaults {
    return this.config[section] ?? {};
  }

  /** A path the config names, relative to its folder. */
  resolve(file: string): string {
    return this.file ? path.resolve(path.dirname(this.file), file) : path.resolve(file);
  }

  /**
   * The config's API modules, then one module per spec entry with behaviours, which applies to
   * that spec file only. A behaviour named after no operation of its spec is an error.
   */
  apis(specs: readonly Spec[]): ApiModule[] {
    const entries = (this.config.specs ?? []).filter(
      (entry): entry is SpecEntry => typeof entry !== 'string' && entry.behaviours !== undefined,
    );
    const modules: ApiModule[] = [];
    for (const entry of entries) {
      const file = this.resolve(entry.file);
      const spec = specs.find((loaded) => path.resolve(loaded.file) === file);
      if (!spec) continue; // not served in this run (spec files given on the command line)
      const names = new Set(spec.operations.flatMap((op) => [op.id, `${op.method.toUpperCase()} ${op.path}`]));
      const unknown = Object.keys(entry.behaviours ?? {}).filter((name) => !names.has(name));
      if (unknown.length > 0)
        throw new ConfigError(
          `${this.file}: specs "${entry.file}" behaviours: no operation "${unknown[0]}" in that spec (use an operationId or "METHOD /path")`,
        );
      // By file, so a spec reloaded with --watch keeps its behaviours.
      modules.push({
        name: `config:${entry.file}`,
        matches: (loaded) => path.resolve(loaded.file) === file,
        behaviours: entry.behaviours,
      });
    }
    return [...(this.config.apis ?? []), ...modules];
  }
}

/** The config named with --config, or the one found in the working directory, or none. */
export async function loadConfig(named: string | undefined, cwd = process.cwd()): Promise<LoadedConfig> {
  const file = named === undefined ? await findConfigFile(cwd) : path.resolve(cwd, named);
  if (file === undefined) return LoadedConfig.NONE;
  if (named !== undefined && !(await exists(file))) throw new ConfigError(`--config ${named}: no such file`);
  let loaded: ImportedModule;
  try {
    loaded = file.endsWith('.json')
      ? { exports: JSON.parse(await readFile(file, 'utf8')), files: [file] }
      : await importModule(file);
  } catch (error) {
    throw new ConfigError(`config ${file}: cannot load it: ${(error as Error).message}`);
  }
  try {
    return new LoadedConfig(file, checkConfig(loaded.exports), loaded.files);
  } catch (error) {
    if (error instanceof ConfigShapeError) throw new ConfigError(`config ${file}: ${error.message}`);
    throw error;
  }
}

/** The contracts a --contract module exports: its default export, or else each named export that is one. */
export async function loadContractFile(file: string, cwd = process.cwd()): Promise<ApiContract[]> {
  const absolute = path.resolve(cwd, file);
  if (!(await exists(absolute))) throw new ConfigError(`--contract ${file}: no such file`);
  let exported: Record<string, unknown>;
  try {
    exported = (await importModule(absolute, false)).exports as Record<string, unknown>;
  } catch (error) {
    throw new ConfigError(`--contract ${file}: cannot load it: ${(error as Error).message}`);
  }
  // jiti gives a module without a default export a `default` that is the module itself: look at both.
  const isContract = (value: unknown) => value !== null && typeof value === 'object' && 'sequences' in value;
  const candidates = [
    ...(isContract(exported.default) ? [['default', exported.default] as const] : []),
    ...Object.entries(exported).filter(([name, value]) => name !== 'default' && isContract(value)),
  ].filter(([, value], index, all) => all.findIndex(([, other]) => other === value) === index);
  if (candidates.length === 0)
    throw new ConfigError(`--contract ${file}: exports no contract (export default { name, sequences, prepare? })`);
  try {
    return candidates.map(([name, value]) => checkContract(`export ${name}`, value));
  } catch (error) {
    if (error instanceof ConfigShapeError) throw new ConfigError(`--contract ${file}: ${error.message}`);
    throw error;
  }
}

async function findConfigFile(cwd: string): Promise<string | undefined> {
  for (const name of CONFIG_FILE_NAMES) {
    const file = path.join(cwd, name);
    if (await exists(file)) return file;
  }
  return undefined;
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}

interface ImportedModule {
  exports: unknown;
  /** The module's file and the local files it imported (packages left out). */
  files: string[];
}

/**
 * A TypeScript or JavaScript module through jiti, with no cache at all (neither modules nor
 * transforms): a config edited under `--watch`, or a file it imports, is read as it is now.
 * jiti is loaded only when there is such a file, so a run without one starts as fast as before.
 */
async function importModule(file: string, defaultExport = true): Promise<ImportedModule> {
  const { createJiti } = await import('jiti');
  const options = { moduleCache: false, fsCache: false } as const;
  const plain = createJiti(import.meta.url, options);
  const files = new Set<string>([file]);
  // Every module jiti compiles goes through its transform: that is where the imported files are seen.
  const jiti = createJiti(import.meta.url, {
    ...options,
    transform: (source) => {
      if (source.filename && !source.filename.split(path.sep).includes('node_modules')) files.add(source.filename);
      return { code: plain.transform(source) };
    },
  });
  // Synchronously: jiti's async import hands `.mjs` (and `.js` ESM) files to Node's own import,
  // whose module cache no option clears, so an edited `.mjs` config would never be read again.
  // Required, every module goes through the transform above, read as it is now.
  const loaded: unknown = jiti(file);
  const exports =
    defaultExport && loaded !== null && typeof loaded === 'object' && 'default' in loaded
      ? (loaded.default ?? loaded)
      : loaded;
  return { exports, files: [...files] };
}
