/**
 * Checks by name. The runner asks the registry which checks judge a request kind, and --only/--skip
 * names are resolved against it: a check is a plain object, registered once under its name.
 */
import type { Check, RequestKind } from '../types.js';
import { CHECKS } from './index.js';

export class CheckRegistry {
  private readonly byName = new Map<string, Check>();

  constructor(checks: Iterable<Check> = []) {
    for (const check of checks) this.register(check);
  }

  /** Adds a check; a second check under a taken name is a programming error, not a silent override. */
  register(check: Check): this {
    if (this.byName.has(check.name)) throw new Error(`a check named ${check.name} is already registered`);
    this.byName.set(check.name, check);
    return this;
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  get(name: string): Check | undefined {
    return this.byName.get(name);
  }

  /** Every check, in registration order (the report's order). */
  all(): Check[] {
    return [...this.byName.values()];
  }

  names(): string[] {
    return [...this.byName.keys()];
  }

  /** The checks that judge exchanges of one request kind. */
  forKind(kind: RequestKind): Check[] {
    return this.all().filter((check) => check.kinds.includes(kind));
  }

  /** Position in report order; unknown names (sequences, preconditions) sort after every check. */
  rank(name: string): number {
    const index = this.names().indexOf(name);
    return index === -1 ? this.byName.size : index;
  }
}

/** The registry of the checks that ship with parley. */
export function defaultCheckRegistry(): CheckRegistry {
  return new CheckRegistry(CHECKS);
}
