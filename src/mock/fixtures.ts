/**
 * Reference data an API assumes exists (ElizaOS agents, a user's catalogue), by kind: records with
 * an `id`, from a fixtures file, a config file and the admin API. The kinds an API module declares
 * validate their records and seed defaults; any other kind holds plain records for user behaviours.
 * Each record remembers the file it came from, so a reload (`--watch`) removes the records taken
 * out of that file, while records a client added through the admin API stay.
 */
import { readFile } from 'node:fs/promises';
import { isPlainObject } from '../openapi/json-value.js';

export interface FixtureRecord {
  id: string;
  [extra: string]: unknown;
}

/** Fixture data as files, the admin API and state files carry it: `{ "<kind>": [records...] }`. */
export type FixtureData = Record<string, FixtureRecord[]>;

/** A kind of fixture an API module knows: how its records are checked, and those always present. */
export interface FixtureKind {
  /** Key in fixture data, e.g. "agents". */
  name: string;
  /** The record as stored, or throws with a readable message naming what is wrong. */
  parse(record: Record<string, unknown>, index: number): FixtureRecord;
  /** Present from the start (e.g. the demo agent). */
  defaults?: readonly FixtureRecord[];
  /** Ids compare case-insensitively (UUIDs). */
  caseInsensitiveIds?: boolean;
}

/** Source names of the files fixtures are read from: what a reload replaces. */
export const CONFIG_FIXTURES = 'config';
export const FILE_FIXTURES = 'fixtures file';

/** A source's fixture data, as a reload reads it. */
export interface FixtureLayer {
  source: string;
  data: unknown;
}

/** Kind names are JSON keys from outside: only plain identifiers become kinds. */
const KIND_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

const GENERIC_KIND: Omit<FixtureKind, 'name'> = {
  parse(record, index) {
    if (typeof record.id !== 'string' || record.id === '') throw new Error(`[${index}] needs an "id" string`);
    return record as FixtureRecord;
  },
};

export class Fixtures {
  private readonly kinds = new Map<string, FixtureKind>();
  private readonly records = new Map<string, Map<string, FixtureRecord>>();
  /** Per kind, the source of each record read from a file, by id key; absent: a default or a client's. */
  private readonly sources = new Map<string, Map<string, string>>();

  constructor(kinds: readonly FixtureKind[] = []) {
    for (const kind of kinds) {
      this.kinds.set(kind.name, kind);
      this.records.set(
        kind.name,
        new Map((kind.defaults ?? []).map((record) => [this.idKey(kind, record.id), record])),
      );
    }
  }

  /** A record of a kind by id, or undefined. */
  get(kind: string, id: string): FixtureRecord | undefined {
    return this.records.get(kind)?.get(this.keyOf(kind, id));
  }

  list(kind: string): FixtureRecord[] {
    return [...(this.records.get(kind)?.values() ?? [])];
  }

  /** Checks fixture data against the known kinds without keeping it; throws with a readable message. */
  parse(data: unknown): FixtureData {
    const parsed: FixtureData = Object.create(null);
    for (const [kind, records] of Object.entries(parseFixtures(data))) {
      const known = this.kinds.get(kind);
      const parse = (known ?? GENERIC_KIND).parse;
      parsed[kind] = records.map((record, index) => {
        try {
          return parse(record, index);
        } catch (error) {
          throw new Error(`${kind}${(error as Error).message}`);
        }
      });
    }
    return parsed;
  }

  /**
   * Adds or replaces records; all or nothing: malformed data throws and changes nothing. With a
   * `source` the records belong to that file; without, to a client (the admin API), and a later
   * reload of the files leaves them alone.
   */
  merge(data: unknown, source?: string): void {
    for (const [kind, records] of Object.entries(this.parse(data)))
      for (const record of records) this.put(kind, record, source);
  }

  /**
   * Records restored from a state file: those equal to the record held keep its source (a record
   * a file gave, saved and read back), any other is a client's.
   */
  restore(data: unknown): void {
    for (const [kind, records] of Object.entries(this.parse(data)))
      for (const record of records) {
        const held = this.get(kind, record.id);
        const same = held !== undefined && JSON.stringify(held) === JSON.stringify(record);
        this.put(kind, record, same ? this.sources.get(kind)?.get(this.keyOf(kind, record.id)) : undefined);
      }
  }

  /**
   * The files as they are now (`--watch`): every record a file gave that no layer holds any more
   * goes (a kind's default with its id comes back), then the layers are merged in order. Records a
   * client added stay, unless a layer names their id. All or nothing, like `merge`.
   */
  replaceSources(layers: readonly FixtureLayer[]): void {
    const parsed = layers.map(({ source, data }) => ({ source, data: this.parse(data) }));
    const kept = new Set(
      parsed.flatMap(({ data }) =>
        Object.entries(data).flatMap(([kind, records]) =>
          records.map((record) => `${kind}\n${this.keyOf(kind, record.id)}`),
        ),
      ),
    );
    for (const [kind, sources] of this.sources)
      for (const key of sources.keys()) {
        if (kept.has(`${kind}\n${key}`)) continue;
        sources.delete(key);
        const fallback = this.kinds.get(kind)?.defaults?.find((record) => this.keyOf(kind, record.id) === key);
        if (fallback) this.records.get(kind)?.set(key, fallback);
        else this.records.get(kind)?.delete(key);
      }
    for (const { source, data } of parsed)
      for (const [kind, records] of Object.entries(data)) for (const record of records) this.put(kind, record, source);
  }

  toJSON(): FixtureData {
    return Object.fromEntries([...this.records.keys()].map((kind) => [kind, this.list(kind)]));
  }

  /** Reads a JSON fixtures file into plain data, with the file named in any error. */
  static async readFile(file: string): Promise<unknown> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw new Error(`cannot read fixtures file ${file}: ${(error as Error).message}`);
    }
    try {
      return JSON.parse(text);
    } catch (error) {
      throw new Error(`fixtures file ${file}: ${(error as Error).message}`);
    }
  }

  private put(kind: string, record: FixtureRecord, source: string | undefined): void {
    const key = this.keyOf(kind, record.id);
    let stored = this.records.get(kind);
    if (!stored) this.records.set(kind, (stored = new Map()));
    stored.set(key, record);
    let sources = this.sources.get(kind);
    if (source === undefined) sources?.delete(key);
    else {
      if (!sources) this.sources.set(kind, (sources = new Map()));
      sources.set(key, source);
    }
  }

  /** The key a record is stored under: ids of some kinds compare case-insensitively. */
  private keyOf(kind: string, id: string): string {
    const known = this.kinds.get(kind);
    return known ? this.idKey(known, id) : id;
  }

  private idKey(kind: FixtureKind, id: string): string {
    return kind.caseInsensitiveIds ? id.toLowerCase() : id;
  }
}

/**
 * The shape every fixture source shares: an object of arrays of objects. Keys that are no plain
 * identifier (`__proto__` and the like) are ignored; records are checked by their kind later.
 */
export function parseFixtures(data: unknown): Record<string, Record<string, unknown>[]> {
  if (!isPlainObject(data)) throw new Error('fixtures must be a JSON object like {"agents": [...]}');
  const parsed: Record<string, Record<string, unknown>[]> = Object.create(null);
  for (const [kind, records] of Object.entries(data)) {
    if (!KIND_NAME.test(kind)) continue;
    if (!Array.isArray(records)) throw new Error(`"${kind}" must be an array`);
    parsed[kind] = records.map((record, index) => {
      if (!isPlainObject(record)) throw new Error(`${kind}[${index}] must be an object`);
      return record as Record<string, unknown>;
    });
  }
  return parsed;
}
