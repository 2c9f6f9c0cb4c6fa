/**
 * Checks a loaded config (or a --contract module) against what parley accepts, naming the first
 * thing wrong by its path in the config: a typo is a clear message, never a crash later in a run.
 */
import type { ApiModule } from '../apis/api-module.js';
import type { ApiContract } from '../contract/api-contract.js';
import type { Check, RequestKind } from '../contract/types.js';
import { COMMAND_SECTIONS, type ParleyConfig } from './types.js';

const CONFIG_KEYS = new Set(['specs', ...COMMAND_SECTIONS, 'contracts', 'checks', 'fixtures', 'apis']);
const REQUEST_KINDS: readonly RequestKind[] = [
  'valid',
  'invalid',
  'no-credentials',
  'wrong-credentials',
  'unsupported-method',
];

/** A config that is not what parley accepts; the message says where. */
export class ConfigShapeError extends Error {
  override name = 'ConfigShapeError';
}

function wrong(at: string, expected: string, value: unknown): never {
  const got = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
  throw new ConfigShapeError(`${at} must be ${expected}, got ${got}`);
}

function arrayAt(at: string, value: unknown): unknown[] {
  if (!Array.isArray(value)) wrong(at, 'an array', value);
  return value;
}

function objectAt(at: string, value: unknown): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) wrong(at, 'an object', value);
  return value as Record<string, unknown>;
}

function stringAt(at: string, value: unknown): string {
  if (typeof value !== 'string' || value === '') wrong(at, 'a non-empty string', value);
  return value;
}

function functionAt(at: string, value: unknown, optional = false): void {
  if (optional && value === undefined) return;
  if (typeof value !== 'function') wrong(at, 'a function', value);
}

function onlyKeys(at: string, value: Record<string, unknown>, allowed: readonly string[]): void {
  const unknown = Object.keys(value).filter((key) => !allowed.includes(key));
  if (unknown.length > 0)
    throw new ConfigShapeError(`${at}: unknown key "${unknown[0]}" (expected one of ${allowed.join(', ')})`);
}

export function checkConfig(value: unknown): ParleyConfig {
  const config = objectAt('the config', value);
  const unknown = Object.keys(config).filter((key) => !CONFIG_KEYS.has(key));
  if (unknown.length > 0)
    throw new ConfigShapeError(`unknown key "${unknown[0]}" (expected one of ${[...CONFIG_KEYS].join(', ')})`);
  if (config.specs !== undefined)
    for (const [index, entry] of arrayAt('specs', config.specs).entries()) {
      if (typeof entry === 'string') {
        stringAt(`specs[${index}]`, entry);
        continue;
      }
      const spec = objectAt(`specs[${index}]`, entry);
      onlyKeys(`specs[${index}]`, spec, ['file', 'behaviours']);
      stringAt(`specs[${index}].file`, spec.file);
      if (spec.behaviours !== undefined)
        for (const [name, behaviour] of Object.entries(objectAt(`specs[${index}].behaviours`, spec.behaviours)))
          functionAt(`specs[${index}].behaviours["${name}"]`, behaviour);
    }
  for (const section of COMMAND_SECTIONS)
    if (config[section] !== undefined) checkFlagValues(section, objectAt(section, config[section]));
  if (config.contracts !== undefined)
    for (const [index, contract] of arrayAt('contracts', config.contracts).entries())
      checkContract(`contracts[${index}]`, contract);
  if (config.checks !== undefined)
    for (const [index, check] of arrayAt('checks', config.checks).entries()) checkCheck(`checks[${index}]`, check);
  if (config.fixtures !== undefined)
    for (const [kind, records] of Object.entries(objectAt('fixtures', config.fixtures)))
      arrayAt(`fixtures.${kind}`, records);
  if (config.apis !== undefined)
    for (const [index, module] of arrayAt('apis', config.apis).entries()) checkModule(`apis[${index}]`, module);
  return config as ParleyConfig;
}

function checkFlagValues(section: string, flags: Record<string, unknown>): void {
  for (const [flag, value] of Object.entries(flags)) {
    const at = `${section}["${flag}"]`;
    if (Array.isArray(value)) for (const [index, item] of value.entries()) scalar(`${at}[${index}]`, item, false);
    else scalar(at, value, true);
  }
}

function scalar(at: string, value: unknown, booleanAllowed: boolean): void {
  if (typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value))) return;
  if (booleanAllowed && typeof value === 'boolean') return;
  wrong(at, booleanAllowed ? 'a string, number, boolean or list' : 'a string or number', value);
}

export function checkContract(at: string, value: unknown): ApiContract {
  const contract = objectAt(at, value);
  onlyKeys(at, contract, ['name', 'matches', 'prepare', 'sequences', 'generic']);
  if (contract.generic !== undefined && typeof contract.generic !== 'boolean')
    wrong(`${at}.generic`, 'a boolean', contract.generic);
  stringAt(`${at}.name`, contract.name);
  functionAt(`${at}.matches`, contract.matches, true);
  if (contract.prepare !== undefined)
    for (const [key, prepare] of Object.entries(objectAt(`${at}.prepare`, contract.prepare)))
      functionAt(`${at}.prepare["${key}"]`, prepare);
  arrayAt(`${at}.sequences`, contract.sequences).forEach((entry, index) => {
    const where = `${at}.sequences[${index}]`;
    const sequence = objectAt(where, entry);
    onlyKeys(where, sequence, ['name', 'description', 'operations', 'needsSecondCredential', 'input', 'run']);
    stringAt(`${where}.name`, sequence.name);
    if (typeof sequence.description !== 'string') wrong(`${where}.description`, 'a string', sequence.description);
    for (const [i, key] of arrayAt(`${where}.operations`, sequence.operations).entries())
      stringAt(`${where}.operations[${i}]`, key);
    functionAt(`${where}.input`, sequence.input, true);
    functionAt(`${where}.run`, sequence.run);
  });
  return contract as unknown as ApiContract;
}

export function checkCheck(at: string, value: unknown): Check {
  const check = objectAt(at, value);
  onlyKeys(at, check, ['name', 'description', 'kinds', 'optIn', 'run']);
  stringAt(`${at}.name`, check.name);
  if (typeof check.description !== 'string') wrong(`${at}.description`, 'a string', check.description);
  arrayAt(`${at}.kinds`, check.kinds).forEach((kind, index) => {
    if (!REQUEST_KINDS.includes(kind as RequestKind))
      throw new ConfigShapeError(
        `${at}.kinds[${index}] must be one of ${REQUEST_KINDS.join(', ')}, got ${JSON.stringify(kind)}`,
      );
  });
  if (check.optIn !== undefined && typeof check.optIn !== 'boolean') wrong(`${at}.optIn`, 'a boolean', check.optIn);
  functionAt(`${at}.run`, check.run);
  return check as unknown as Check;
}

function checkModule(at: string, value: unknown): ApiModule {
  const module = objectAt(at, value);
  onlyKeys(at, module, ['name', 'matches', 'behaviours', 'contract', 'fixtures', 'seedChecks']);
  stringAt(`${at}.name`, module.name);
  functionAt(`${at}.matches`, module.matches);
  if (module.behaviours !== undefined)
    for (const [name, behaviour] of Object.entries(objectAt(`${at}.behaviours`, module.behaviours)))
      functionAt(`${at}.behaviours["${name}"]`, behaviour);
  if (module.contract !== undefined) checkContract(`${at}.contract`, module.contract);
  if (module.fixtures !== undefined)
    arrayAt(`${at}.fixtures`, module.fixtures).forEach((kind, index) => {
      const fixtureKind = objectAt(`${at}.fixtures[${index}]`, kind);
      stringAt(`${at}.fixtures[${index}].name`, fixtureKind.name);
      functionAt(`${at}.fixtures[${index}].parse`, fixtureKind.parse);
    });
  return module as unknown as ApiModule;
}
