/**
 * Compiled validators on disk: the standalone code ajv generates for the schemas a process compiled,
 * one entry per schema document, keyed by the document's content, its dialect and the versions of
 * parley and of ajv and its plugins. The entry lists parts, each a blob of its own: one module
 * exporting up to PART_SCHEMAS validators compiled in one burst, the schemas they `$ref` written
 * once in it. A later process reads and evaluates a part when it first needs one of its validators:
 * a fraction of the time ajv takes to generate them again (tens of milliseconds per spec in a
 * process that has compiled nothing yet, every `parley test` and every mock start; seconds for a
 * spec of a thousand schemas).
 *
 * The code is run with a `require` that knows ajv's runtime helpers, parley's format table and
 * pattern engine and nothing else; a part naming anything else, or failing to load, is a miss (its
 * schemas are compiled again). The store checks each blob's bytes against its hash, and a part's
 * name is the hash of its entry, its schemas and its code. Those catch damage and mix-ups, not a
 * hostile writer: the code runs in this process, so validators are cached only in a directory no
 * one else can write to (validator.ts asks the store).
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
/** A write waits this long for more compiles, so that a run's first burst of them is written together. */
const WRITE_DELAY_MS = 1000;
/**
 * Validators per part: a write holds the event loop while ajv writes their code (~0.3 ms each), so
 * a burst of thousands (a mock of a large spec warming up) is written a part at a time, requests
 * answered in between; and a later process needing one validator evaluates this many at most. Not
 * fewer: each part repeats the schemas its validators share (Stripe's 2,310 load in 0.6 s from parts
 * of 1,024, 1.2 s from parts of 256).
 */
export const PART_SCHEMAS = 1024;
/** Parts kept per entry: past this the oldest go (their schemas are compiled, and written, again when used). */
const MAX_PARTS = 32;

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

/** A part as the entry lists it: its blob's key, and the schemas whose validators it exports, in order. */
type PartName = [key: string, pointers: string[]];

interface Entry {
  format: number;
  key: string;
  parts: PartName[];
}

/** The name a part exports the validator of its `index`-th schema under. */
export const exportName = (index: number): string => `v${index}`;

/** A part as this process holds it: read and evaluated when one of its validators is first needed. */
interface HeldPart {
  name: PartName;
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
   * hash); `makePart`: ajv's standalone code exporting validators this process compiled.
   */
  constructor(
    private readonly store: BlobStore,
    identity: readonly unknown[],
    private readonly makePart: (pointers: readonly string[]) => string,
  ) {
    this.key = sha256(JSON.stringify([ENTRY_FORMAT, PARLEY_VERSION, LIBRARY_VERSIONS, ...identity]));
    for (const name of this.readEntry()) {
      const held: HeldPart = { name };
      for (const pointer of name[1]) if (!this.partOf.has(pointer)) this.partOf.set(pointer, held);
    }
  }

  /** The validator of the schema at `pointer` from its cached code, or undefined when there is none that loads. */
  load(pointer: string): ValidateFunction | undefined {
    const held = this.partOf.get(pointer);
    if (!held || held.failed) return undefined;
    try {
      held.exports ??= evaluate(this.readPart(held.name));
      const validate = held.exports[exportName(held.name[1].indexOf(pointer))];
      if (typeof validate !== 'function') throw new Error('it exports no validator of the schema');
      return validate as ValidateFunction;
    } catch (error) {
      held.failed = true;
      // A part evicted meanwhile is a plain miss; anything else is said.
      if (!(error instanceof PartGone))
        this.store.warn(
          `a part of entry ${this.key.slice(0, 12)} did not load (${(error as Error).message}); compiling its schemas`,
        );
      return undefined;
    }
  }

  /** Records a validator compiled in this process: written, with the others compiled meanwhile, soon. */
  add(pointer: string): void {
    this.made.add(pointer);
    pending.add(this);
    writeSoon();
  }

  /** Writes a part of the validators compiled since the last write; true while more are left to write. */
  write(): boolean {
    const pointers = [...this.made].slice(0, PART_SCHEMAS);
    for (const pointer of pointers) this.made.delete(pointer);
    if (pointers.length === 0) return false;
    let code: string;
    try {
      code = this.makePart(pointers);
    } catch (error) {
      this.store.warn(`the validators' code could not be made (${(error as Error).message}); they are not cached`);
      return this.made.size > 0;
    }
    if (!requiresOnlyKnownModules(code)) return this.made.size > 0;
    const partKey = partKeyOf(this.key, pointers, code);
    this.store.put(partKey, Buffer.from(code));
    // Other processes may have written parts since this one read the entry: they are kept.
    const parts = [...this.readEntry().filter(([key]) => key !== partKey), [partKey, pointers] satisfies PartName];
    for (const [dropped] of parts.splice(0, Math.max(0, parts.length - MAX_PARTS))) this.store.delete(dropped);
    const entry: Entry = { format: ENTRY_FORMAT, key: this.key, parts };
    this.store.put(this.key, Buffer.from(JSON.stringify(entry)));
    return this.made.size > 0;
  }

  private readPart([partKey, pointers]: PartName): string {
    const data = this.store.get(partKey);
    if (data === undefined) throw new PartGone();
    const code = data.toString('utf8');
    if (partKeyOf(this.key, pointers, code) !== partKey) throw new Error('it is not the part its name says');
    return code;
  }

  private readEntry(): PartName[] {
    const data = this.store.get(this.key);
    if (data === undefined) return [];
    try {
      const entry = JSON.parse(data.toString('utf8')) as Entry;
      if (entry.format !== ENTRY_FORMAT || entry.key !== this.key || !Array.isArray(entry.parts))
        throw new Error('it is not the entry its name says');
      return entry.parts.filter(
        (part): part is PartName =>
          Array.isArray(part) &&
          typeof part[0] === 'string' &&
          Array.isArray(part[1]) &&
          part[1].every((pointer) => typeof pointer === 'string'),
      );
    } catch (error) {
      this.store.warn(
        `entry ${this.key.slice(0, 12)} could not be read (${(error as Error).message}); compiling again`,
      );
      return [];
    }
  }
}

/** A part's name: the hash of its entry's key, its schemas and its code, so that a part filed under another name is refused. */
const partKeyOf = (entryKey: string, pointers: readonly string[], code: string): string =>
  sha256(`${JSON.stringify([entryKey, pointers])}\n${code}`);

/** A part the store no longer holds (evicted since the entry listed it). */
class PartGone extends Error {}

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

/** Caches with validators compiled and not yet written: written soon after the last compile, and at exit. */
const pending = new Set<ValidatorCache>();
let timer: NodeJS.Timeout | undefined;

function writeSoon(): void {
  if (timer) timer.refresh();
  else {
    timer = setTimeout(writeSomePending, WRITE_DELAY_MS).unref();
    process.once('exit', writeCachedValidators);
  }
}

/** A part of each cache with validators to write; the next ones after the event loop has had a turn. */
function writeSomePending(): void {
  for (const cache of pending) if (!cache.write()) pending.delete(cache);
  if (pending.size > 0) timer = setTimeout(writeSomePending, 0).unref();
  else stopWriting();
}

/** Writes now everything `add` recorded (otherwise written a part at a time from a second after the last compile, or at exit). */
export function writeCachedValidators(): void {
  stopWriting();
  for (const cache of pending) while (cache.write());
  pending.clear();
}

function stopWriting(): void {
  clearTimeout(timer);
  timer = undefined;
  process.removeListener('exit', writeCachedValidators);
}
