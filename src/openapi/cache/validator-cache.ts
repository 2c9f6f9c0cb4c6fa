/**
 * Compiled validators on disk: the standalone code ajv generates for the schemas a process compiled,
 * one entry per schema document, keyed by the document's content, its dialect and the versions of
 * parley and of ajv and its plugins. An entry holds parts: each write adds one module exporting the
 * validators compiled since the last, their shared code (the schemas they `$ref`) written once in it.
 * A later process evaluates a part when it first needs one of its validators: a fraction of the time
 * ajv takes to generate them again (tens of milliseconds per spec in a process that has compiled
 * nothing yet, every `parley test` and every mock start; seconds for a spec of a thousand schemas).
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
/** A write waits this long for more compiles, so that a run's first burst of them is one part. */
const WRITE_DELAY_MS = 1000;
/** Parts kept per entry: past this the oldest go (their schemas are compiled, and written, again when used). */
const MAX_PARTS = 16;

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

/** One module of an entry: the validator of `pointers[i]` is its export `exportName(i)`. */
type Part = [pointers: string[], code: string];

interface Entry {
  format: number;
  key: string;
  parts: Part[];
}

/** The name a part exports the validator of its `index`-th pointer under. */
export const exportName = (index: number): string => `v${index}`;

/** A part as this process holds it: evaluated when one of its validators is first needed. */
interface HeldPart {
  part: Part;
  exports?: Record<string, unknown>;
  failed?: true;
}

/** The cached validators of one schema document. */
export class ValidatorCache {
  private readonly partOf = new Map<string, HeldPart>();
  /** Compiled here and not yet written. */
  private readonly made = new Set<string>();
  private readonly key: string;

  /**
   * `identity`: what the code depends on beyond the versions (the document's dialect and content
   * hash); `makePart`: ajv's standalone code for validators this process compiled.
   */
  constructor(
    private readonly store: BlobStore,
    identity: readonly unknown[],
    private readonly makePart: (pointers: readonly string[]) => string,
  ) {
    this.key = sha256(JSON.stringify([ENTRY_FORMAT, PARLEY_VERSION, LIBRARY_VERSIONS, ...identity]));
    for (const part of this.read()) this.hold(part);
  }

  /** The validator of the schema at `pointer` from its cached code, or undefined when there is none that loads. */
  load(pointer: string): ValidateFunction | undefined {
    const held = this.partOf.get(pointer);
    if (!held || held.failed) return undefined;
    try {
      held.exports ??= evaluate(held.part[1]);
      const validate = held.exports[exportName(held.part[0].indexOf(pointer))];
      if (typeof validate !== 'function') throw new Error('it exports no validator of the schema');
      return validate as ValidateFunction;
    } catch (error) {
      this.store.warn(
        `a part of entry ${this.key.slice(0, 12)} did not load (${(error as Error).message}); compiling its schemas`,
      );
      held.failed = true;
      return undefined;
    }
  }

  /** Records a validator compiled in this process: written, with the others compiled meanwhile, soon. */
  add(pointer: string): void {
    this.made.add(pointer);
    pending.add(this);
    writeSoon();
  }

  /** Writes the validators compiled since the last write as a new part, beside the parts the entry has now. */
  write(): void {
    if (this.made.size === 0) return;
    const pointers = [...this.made];
    this.made.clear();
    let code: string;
    try {
      code = this.makePart(pointers);
    } catch (error) {
      this.store.warn(`the validators' code could not be made (${(error as Error).message}); they are not cached`);
      return;
    }
    if (!requiresOnlyKnownModules(code)) return;
    const part: Part = [pointers, code];
    this.hold(part);
    // Other processes may have written parts since this one read the entry: they are kept.
    const parts = [...this.read(), part].slice(-MAX_PARTS);
    const entry: Entry = { format: ENTRY_FORMAT, key: this.key, parts };
    this.store.put(this.key, Buffer.from(JSON.stringify(entry)));
  }

  private hold(part: Part): void {
    const held: HeldPart = { part };
    for (const pointer of part[0])
      if (!this.partOf.has(pointer) || this.partOf.get(pointer)!.failed) this.partOf.set(pointer, held);
  }

  private read(): Part[] {
    const data = this.store.get(this.key);
    if (data === undefined) return [];
    try {
      const entry = JSON.parse(data.toString('utf8')) as Entry;
      if (entry.format !== ENTRY_FORMAT || entry.key !== this.key || !Array.isArray(entry.parts))
        throw new Error('it is not the entry its name says');
      return entry.parts.filter(
        (part): part is Part =>
          Array.isArray(part) &&
          Array.isArray(part[0]) &&
          part[0].every((pointer) => typeof pointer === 'string') &&
          typeof part[1] === 'string',
      );
    } catch (error) {
      this.store.warn(
        `entry ${this.key.slice(0, 12)} could not be read (${(error as Error).message}); compiling again`,
      );
      return [];
    }
  }
}

/** Runs standalone code (CommonJS: it sets `module.exports`) and returns what it exports. */
function evaluate(code: string): Record<string, unknown> {
  const module = { exports: {} as unknown };
  const requireKnown = (name: string): unknown => {
    if (!MODULES.has(name)) throw new Error(`it requires ${JSON.stringify(name).slice(0, 80)}`);
    return MODULES.get(name);
  };
  new Function('module', 'exports', 'require', code)(module, module.exports, requireKnown);
  if (module.exports === null || typeof module.exports !== 'object') throw new Error('it exports no validators');
  return module.exports as Record<string, unknown>;
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
