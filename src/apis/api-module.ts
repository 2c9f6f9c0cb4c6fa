/**
 * An API parley knows by hand: how its mock answers where the spec alone cannot say (behaviours),
 * what its contract adds to the generic tests, and the reference data it assumes. A module applies
 * only to the specs its `matches` accepts, so another API with a path like one of its own is served
 * and tested generically.
 */
import type { ApiContract } from '../contract/api-contract.js';
import type { Behaviour } from '../mock/behaviour.js';
import type { FixtureKind } from '../mock/fixtures.js';
import type { Operation, Spec } from '../openapi/types.js';

export interface ApiModule {
  name: string;
  /** Whether a loaded spec is this API (by its content, not by a path it shares with others). */
  matches(spec: Spec): boolean;
  /** Hand-written answers by operationId or "METHOD /path"; the generic behaviour answers the rest. */
  behaviours?: Readonly<Record<string, Behaviour>>;
  /** Request preparation and stateful sequences for `parley test`. */
  contract?: ApiContract;
  /** Kinds of reference data the behaviours look up (e.g. ElizaOS agents). */
  fixtures?: readonly FixtureKind[];
  /** Checks of records seeded through the admin API into a behaviour's collection: a message naming what is wrong. */
  seedChecks?: Readonly<Record<string, (record: Record<string, unknown>) => string | undefined>>;
}

/** The modules that apply to a spec, first match first. */
export function modulesFor(modules: readonly ApiModule[], spec: Spec): ApiModule[] {
  return modules.filter((module) => module.matches(spec));
}

/** The hand-written behaviour for an operation from the first module of its spec that has one. */
export function behaviourFor(modules: readonly ApiModule[], operation: Operation): Behaviour | undefined {
  const key = `${operation.method.toUpperCase()} ${operation.path}`;
  for (const module of modulesFor(modules, operation.spec)) {
    const behaviours = module.behaviours;
    if (!behaviours) continue;
    const behaviour = own(behaviours, operation.id) ?? own(behaviours, key);
    if (behaviour) return behaviour;
  }
  return undefined;
}

/** The fixture kinds of the modules of the given specs (each kind once, first module first). */
export function fixtureKindsFor(modules: readonly ApiModule[], specs: readonly Spec[]): FixtureKind[] {
  const kinds = new Map<string, FixtureKind>();
  for (const spec of specs)
    for (const module of modulesFor(modules, spec))
      for (const kind of module.fixtures ?? []) if (!kinds.has(kind.name)) kinds.set(kind.name, kind);
  return [...kinds.values()];
}

/** Looks a name up only among a record's own keys: names from specs are never prototype keys. */
function own<T>(record: Readonly<Record<string, T>>, name: string): T | undefined {
  return Object.hasOwn(record, name) ? record[name] : undefined;
}
