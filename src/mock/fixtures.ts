/**
 * Reference data an API assumes exists (ElizaOS agents, a user's catalogue), by kind: records with
 * an `id`, from a fixtures file, a config file and the admin API. The kinds an API module declares
 * validate their records and seed defaults; any other kind holds plain records for user behaviours.
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
    const known = this.kinds.get(kind);
    return this.records.get(kind)?.get(known ? this.idKey(known, id) : id);
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

  /** Adds or replaces records; all or nothing: malformed data throws and changes nothing. */
  merge(data: unknown): void {
    for (const [kind, records] of Object.entries(this.parse(data))) {
      const known = this.kinds.get(kind);
      let stored = this.records.get(kind);
      if (!stored) this.records.set(kind, (stored = new Map()));
      for (const record of records) stored.set(known ? this.idKey(known, record.id) : record.id, record);
    }
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
