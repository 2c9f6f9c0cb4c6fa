/**
 * Compiled validators on disk: the standalone code ajv generates for each schema a process compiled,
 * one entry per schema document, keyed by the document's content, its dialect and the versions of
 * parley and of ajv and its plugins. Loading a validator from its code takes a fraction of a
 * millisecond; ajv generating it again takes milliseconds per schema, tens of them per spec in a
 * process that has not compiled anything yet (every `parley test`, every mock start).
 *
 * The code is run with a `require` that knows ajv's runtime helpers, parley's format table and
 * pattern engine and nothing else; an entry naming anything else, or failing to load, is a miss
 * (the schema is compiled again). The store checks each entry's bytes against its hash.
 */
import { createRequire } from 'node:module';
import type { ValidateFunction } from 'ajv';
import { PARLEY_VERSION } from '../../version.js';
import { FORMAT_TABLE } from '../formats.js';
import { schemaRegExp } from '../pattern.js';
import { packageVersions } from './open.js';
import { type BlobStore, sha256 } from './store.js';

/** Bumped whenever what an entry holds, or how it is encoded, changes. */
const ENTRY_FORMAT = 1;
const LIBRARY_VERSIONS = packageVersions(['ajv', 'ajv-formats', 'ajv-draft-04']);
/** A write waits this long for more compiles, so that a run's first burst of them is written once. */
const WRITE_DELAY_MS = 1000;

/** What compiled code may `require`: the names ajv's options and runtime give it (see validator.ts). */
export const FORMATS_MODULE = 'parley:formats';
export const PATTERN_MODULE = 'parley:pattern';
const require = createRequire(import.meta.url);
const MODULES: ReadonlyMap<string, unknown> = new Map<string, unknown>([
  ...['equal', 'ucs2length', 'uri', 'validation_error'].map((name): [string, unknown] => [
    `ajv/dist/runtime/${name}`,
    require(`ajv/dist/runtime/${name}`),
  ]),
  [FORMATS_MODULE, FORMAT_TABLE],
  [PATTERN_MODULE, schemaRegExp],
]);
const REQUIRE_CALL = /\brequire\(("(?:[^"\\]|\\.)*")\)/g;

interface Entry {
  format: number;
  key: string;
  validators: [pointer: string, code: string][];
}

/** The cached validators of one schema document. */
export class ValidatorCache {
  /** Standalone code by schema pointer: read from the store, or made in this process. */
  private readonly code = new Map<string, string>();
  /** Compiled here and not yet written: their code is made when the entry is written. */
  private readonly made = new Map<string, () => string>();
  private readonly key: string;

  /** `identity`: what the code depends on beyond the versions (the document's dialect and content hash). */
  constructor(
    private readonly store: BlobStore,
    identity: readonly unknown[],
  ) {
    this.key = sha256(JSON.stringify([ENTRY_FORMAT, PARLEY_VERSION, LIBRARY_VERSIONS, ...identity]));
    for (const [pointer, code] of this.read()) this.code.set(pointer, code);
  }

  /** The validator of the schema at `pointer` from its cached code, or undefined when there is none that loads. */
  load(pointer: string): ValidateFunction | undefined {
    const code = this.code.get(pointer);
    if (code === undefined) return undefined;
    try {
      return evaluate(code);
    } catch (error) {
      this.store.warn(
        `a validator of entry ${this.key.slice(0, 12)} did not load (${(error as Error).message}); compiling it`,
      );
      this.code.delete(pointer);
      return undefined;
    }
  }

  /** Records a validator compiled in this process; `code` makes its standalone code when the entry is written. */
  add(pointer: string, code: () => string): void {
    this.made.set(pointer, code);
    pending.add(this);
    writeSoon();
  }

  /** Writes the entry with what this process compiled, merged with what other processes wrote meanwhile. */
  write(): void {
    if (this.made.size === 0) return;
    for (const [pointer, make] of this.made) {
      try {
        const code = make();
        if (requiresOnlyKnownModules(code)) this.code.set(pointer, code);
      } catch (error) {
        this.store.warn(`a validator's code could not be made (${(error as Error).message}); it is not cached`);
      }
    }
    this.made.clear();
    for (const [pointer, code] of this.read()) if (!this.code.has(pointer)) this.code.set(pointer, code);
    const entry: Entry = { format: ENTRY_FORMAT, key: this.key, validators: [...this.code] };
    this.store.put(this.key, Buffer.from(JSON.stringify(entry)));
  }

  private read(): [string, string][] {
    const data = this.store.get(this.key);
    if (data === undefined) return [];
    try {
      const entry = JSON.parse(data.toString('utf8')) as Entry;
      if (entry.format !== ENTRY_FORMAT || entry.key !== this.key || !Array.isArray(entry.validators))
        throw new Error('it is not the entry its name says');
      return entry.validators.filter(
        (item): item is [string, string] =>
          Array.isArray(item) && typeof item[0] === 'string' && typeof item[1] === 'string',
      );
    } catch (error) {
      this.store.warn(
        `entry ${this.key.slice(0, 12)} could not be read (${(error as Error).message}); compiling again`,
      );
      return [];
    }
  }
}

/** Runs standalone code (CommonJS: it sets `module.exports`) and returns the validator it exports. */
function evaluate(code: string): ValidateFunction {
  const module = { exports: {} as unknown };
  const requireKnown = (name: string): unknown => {
    if (!MODULES.has(name)) throw new Error(`it requires ${JSON.stringify(name).slice(0, 80)}`);
    return MODULES.get(name);
  };
  new Function('module', 'exports', 'require', code)(module, module.exports, requireKnown);
  if (typeof module.exports !== 'function') throw new Error('it exports no function');
  return module.exports as ValidateFunction;
}

function requiresOnlyKnownModules(code: string): boolean {
  for (const [, literal] of code.matchAll(REQUIRE_CALL)) if (!MODULES.has(JSON.parse(literal) as string)) return false;
  return true;
}

/** Caches with validators compiled and not yet written; written together, soon after the last compile and at exit. */
const pending = new Set<ValidatorCache>();
let timer: NodeJS.Timeout | undefined;

function writeSoon(): void {
  if (timer) timer.refresh();
  else {
    timer = setTimeout(writeCachedValidators, WRITE_DELAY_MS).unref();
    process.once('exit', writeCachedValidators);
  }
}

/** Writes now what `add` recorded (otherwise written a second after the last compile, or at exit). */
export function writeCachedValidators(): void {
  clearTimeout(timer);
  timer = undefined;
  process.removeListener('exit', writeCachedValidators);
  for (const cache of pending) cache.write();
  pending.clear();
}
