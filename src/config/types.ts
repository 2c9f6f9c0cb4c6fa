/** What a parley config file (parley.config.ts|mjs|js|json) may hold, and `defineConfig` to write one with types. */
import type { ApiModule } from '../apis/api-module.js';
import type { ApiContract } from '../contract/api-contract.js';
import type { Check } from '../contract/types.js';
import type { Behaviour } from '../mock/behaviour.js';
import type { FixtureData } from '../mock/fixtures.js';

/** A spec file of one's own, with mock behaviours for some of its operations. */
export interface SpecEntry {
  /** Path of the spec, relative to the config file. */
  file: string;
  /** Hand-written answers by operationId or "METHOD /path" of this spec; the generic behaviour answers the rest. */
  behaviours?: Record<string, Behaviour>;
}

/** Defaults for a command's flags, by their long name without dashes (`"max-time": "90s"`); flags given on the command line win. */
export type FlagDefaults = Record<string, string | number | boolean | readonly (string | number)[]>;

export interface ParleyConfig {
  /** Spec files used when a command is given none. */
  specs?: (string | SpecEntry)[];
  /** Flag defaults per command. */
  mock?: FlagDefaults;
  test?: FlagDefaults;
  proxy?: FlagDefaults;
  validate?: FlagDefaults;
  diff?: FlagDefaults;
  /** API contracts for `parley test`: request preparation and stateful sequences. */
  contracts?: ApiContract[];
  /** Checks besides the built-in ones, selected with --only/--skip by name like them. */
  checks?: Check[];
  /** Reference data for the mock, `{ "<kind>": [{ "id": ... }] }`, read by behaviours through `context.fixtures`. */
  fixtures?: FixtureData;
  /** Whole API modules (behaviours, contract, fixture kinds) applied where their `matches` holds. */
  apis?: ApiModule[];
}

/** Returns the config as given: the function exists for its types. */
export function defineConfig(config: ParleyConfig): ParleyConfig {
  return config;
}

export const COMMAND_SECTIONS = ['mock', 'test', 'proxy', 'validate', 'diff'] as const;
export type CommandSection = (typeof COMMAND_SECTIONS)[number];
