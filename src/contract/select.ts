/**
 * --only / --skip / --phases: which operations, checks, sequences and phases a run covers. Names are
 * resolved against what exists (the spec's operations, the check registry, the contracts'
 * sequences), so a misspelt name is an error rather than a selection of nothing.
 */
import { operationKey } from './api-contract.js';
import type { CheckRegistry } from './checks/registry.js';
import { responseReceived } from './checks/transport.js';
import type { Operation, Spec } from '../openapi/types.js';
import { PHASES, type Check, type Phase } from './types.js';

/** An --only/--skip name that matches no operation, check or sequence. */
export class UnknownSelectionError extends Error {
  override name = 'UnknownSelectionError';
}

/** A selection that leaves nothing to run: never a run that "conforms". */
export class EmptySelectionError extends Error {
  override name = 'EmptySelectionError';
}

export interface SelectionInput {
  only?: readonly string[];
  skip?: readonly string[];
  phases?: readonly Phase[];
}

export class Selection {
  private readonly only: ReadonlySet<string>;
  private readonly skip: ReadonlySet<string>;
  private readonly onlyChecksOrSequences: boolean;
  private readonly onlyOperations: boolean;
  readonly phases: readonly Phase[];

  constructor(
    input: SelectionInput,
    specs: readonly Spec[],
    private readonly checks: CheckRegistry,
    sequences: readonly string[],
  ) {
    this.only = new Set(input.only ?? []);
    this.skip = new Set(input.skip ?? []);
    const operations = new Set(specs.flatMap((spec) => spec.operations.flatMap((op) => [op.id, operationKey(op)])));
    const namedRules = new Set([...checks.names(), ...sequences]);
    const unknown = [...this.only, ...this.skip].filter((name) => !operations.has(name) && !namedRules.has(name));
    if (unknown.length > 0) {
      throw new UnknownSelectionError(
        `--only/--skip ${unknown.map((name) => `"${name}"`).join(', ')}: no such operation, check or sequence (operations: ${specs
          .flatMap((spec) => spec.operations.map((op) => op.id))
          .join(
            ', ',
          )}; checks: ${checks.names().join(', ')}${sequences.length > 0 ? `; sequences: ${sequences.join(', ')}` : ''})`,
      );
    }
    this.onlyChecksOrSequences = [...this.only].some((name) => namedRules.has(name));
    this.onlyOperations = [...this.only].some((name) => operations.has(name));
    this.phases = PHASES.filter((phase) => !input.phases || input.phases.includes(phase));
  }

  phase(phase: Phase): boolean {
    return this.phases.includes(phase);
  }

  operation(operation: Operation): boolean {
    const names = [operation.id, operationKey(operation)];
    if (names.some((name) => this.skip.has(name))) return false;
    return !this.onlyOperations || names.some((name) => this.only.has(name));
  }

  /** A check or sequence by name, apart from the operation it runs on. */
  rule(name: string): boolean {
    if (this.skip.has(name)) return false;
    return !this.onlyChecksOrSequences || this.only.has(name);
  }

  /**
   * The checks that judge one request kind on a selected operation. A request that gets no response
   * is always reported (unless response_received is skipped by name): otherwise a target that died
   * would pass every check that needs a response.
   */
  checksFor(kind: Check['kinds'][number]): Check[] {
    const selected = this.checks.forKind(kind).filter((check) => this.rule(check.name));
    if (selected.length === 0 || selected.includes(responseReceived) || this.skip.has(responseReceived.name))
      return selected;
    return [responseReceived, ...selected];
  }
}

/** Parses --phases: a comma-separated list of phase names; undefined when any is unknown. */
export function parsePhases(text: string): Phase[] | undefined {
  const names = text
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  if (names.length === 0 || !names.every((name): name is Phase => (PHASES as readonly string[]).includes(name)))
    return undefined;
  return PHASES.filter((phase) => names.includes(phase));
}
