/**
 * --config on every command: loads the config file (named, or found in the working directory) and
 * fills in the flags the command line left out from the config's section for the command.
 */
import { ConfigError, loadConfig, type LoadedConfig } from '../config/load.js';
import type { CommandSection } from '../config/types.js';
import { applyCacheFlag } from './command-line.js';

/** --config <file>, in every command's flag table. */
export const CONFIG_FLAG = { config: { type: 'string' } } as const;

type FlagTable = Readonly<Record<string, { type: 'string' | 'boolean'; multiple?: boolean }>>;

/** Flags that only make sense on the command line. */
const COMMAND_LINE_ONLY = new Set(['help', 'config']);

/**
 * Loads the config and writes its defaults into `values` where the command line gave nothing
 * (the command line wins). An unknown flag or a value of the wrong kind is a ConfigError.
 */
export async function applyConfig(
  section: CommandSection,
  values: Record<string, unknown>,
  table: FlagTable,
): Promise<LoadedConfig> {
  const loaded = await loadConfig(values.config as string | undefined);
  Object.assign(values, withConfigDefaults(loaded, section, values, table));
  // main.ts saw only the command line's --no-cache.
  applyCacheFlag(values['no-cache'] === true);
  return loaded;
}

/**
 * The command line's flag values with the config's defaults filled in where it gave nothing; the
 * command line itself is left as it is, so `parley mock --watch` can merge a reloaded config into it.
 */
export function withConfigDefaults<Values extends Record<string, unknown>>(
  loaded: LoadedConfig,
  section: CommandSection,
  commandLine: Values,
  table: FlagTable,
): Values {
  const values: Record<string, unknown> = { ...commandLine };
  for (const [flag, value] of Object.entries(loaded.flagDefaults(section))) {
    const option = Object.hasOwn(table, flag) && !COMMAND_LINE_ONLY.has(flag) ? table[flag] : undefined;
    const at = `config ${loaded.file}: ${section}["${flag}"]`;
    if (!option) {
      const known = Object.keys(table).filter((name) => !COMMAND_LINE_ONLY.has(name));
      throw new ConfigError(`${at}: parley ${section} has no flag --${flag} (its flags: ${known.join(', ')})`);
    }
    if (values[flag] !== undefined) continue;
    values[flag] = flagValue(at, option, value);
  }
  return values as Values;
}

function flagValue(
  at: string,
  option: FlagTable[string],
  value: string | number | boolean | readonly (string | number)[],
): string | boolean | string[] {
  if (option.type === 'boolean') {
    if (typeof value !== 'boolean') throw new ConfigError(`${at} must be true or false, got ${JSON.stringify(value)}`);
    return value;
  }
  if (typeof value === 'boolean') throw new ConfigError(`${at} must be a string or number, got ${value}`);
  if (Array.isArray(value)) {
    if (!option.multiple) throw new ConfigError(`${at} takes one value, got a list`);
    return value.map(String);
  }
  return option.multiple ? [String(value)] : String(value);
}
