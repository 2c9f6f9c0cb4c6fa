/**
 * Coverage of what the specs document, as the exchanges of a run (or of a proxied session) exercised it:
 * per operation, the documented statuses and response media types seen, the parameters sent, and the
 * schema constraints probed on their valid and invalid side — each tagged with the phases that did it.
 */
import { mediaTypeMatches, mediaTypeOf } from '../contract/checks/expectations.js';
import { documentedResponse } from '../openapi/responses.js';
import type { Operation, Parameter } from '../openapi/types.js';

/** What exercised an item: a phase of `parley test` ("fuzz", "coverage", "stateful") or a source ("proxy"). */
export type Phase = string;

/** A constraint's valid side is a value it admits (e.g. at the bound), its invalid side one it refuses. */
export type ProbeSide = 'valid' | 'invalid';

export const PROBE_SIDES: readonly ProbeSide[] = ['valid', 'invalid'];

/** One documented thing and what exercised it. */
export interface CoverageItem {
  /** "200", "4XX" or "default"; "application/json"; "query.limit"; "body.recall_options.limit maximum valid". */
  id: string;
  covered: boolean;
  /** Phases that exercised it, sorted. */
  phases: Phase[];
  /** How many exchanges (or probes) exercised it. */
  hits: number;
}

export interface Ratio {
  covered: number;
  total: number;
  /** covered / total × 100; null when there is nothing to cover. */
  percent: number | null;
}

export interface OperationCoverage {
  spec: string;
  operation: string;
  method: string;
  path: string;
  exchanges: number;
  statuses: CoverageItem[];
  contentTypes: CoverageItem[];
  parameters: CoverageItem[];
  /** One item per constraint and side: "<constraint id> valid", "<constraint id> invalid". */
  constraints: CoverageItem[];
  /** Statuses answered that the operation does not document: seen, never counted as coverage. */
  undocumentedStatuses: number[];
  /** All four kinds together. */
  overall: Ratio;
}

export interface CoverageTotals {
  statuses: Ratio;
  contentTypes: Ratio;
  parameters: Ratio;
  constraints: Ratio;
  overall: Ratio;
}

/** The JSON shape of coverage in every report. */
export interface CoverageSummary {
  operations: OperationCoverage[];
  totals: CoverageTotals;
  /** Every phase that exercised something, sorted. */
  phases: Phase[];
}

type ItemKind = 'statuses' | 'contentTypes' | 'parameters' | 'constraints';
const ITEM_KINDS: readonly ItemKind[] = ['statuses', 'contentTypes', 'parameters', 'constraints'];

/** Hits of one item, per phase. */
type Hits = Map<Phase, number>;

class OperationRecord {
  exchanges = 0;
  readonly items: Record<ItemKind, Map<string, Hits>> = {
    statuses: new Map(),
    contentTypes: new Map(),
    parameters: new Map(),
    constraints: new Map(),
  };
  readonly undocumented = new Set<number>();

  constructor(readonly operation: Operation) {
    for (const response of operation.responses) this.items.statuses.set(response.status, new Map());
    for (const media of operation.responses.flatMap((r) => r.content))
      this.items.contentTypes.set(media.mediaType, new Map());
    for (const parameter of operation.parameters)
      this.items.parameters.set(parameterId(parameter.in, parameter.name), new Map());
  }

  hit(kind: ItemKind, id: string, phase: Phase): void {
    const hits = this.items[kind].get(id);
    if (hits) hits.set(phase, (hits.get(phase) ?? 0) + 1);
  }
}

/** How a parameter is named in coverage: its location and name, header names in lower case ("header.x-request-id"). */
export function parameterId(location: string, name: string): string {
  return `${location}.${location === 'header' ? name.toLowerCase() : name}`;
}

const constraintItemId = (constraint: string, side: ProbeSide) => `${constraint} ${side}`;

/**
 * The accumulator. Operations are registered first (those in scope of the run); what is observed of
 * any other operation is ignored, so a run limited with --only is measured against what it selected.
 */
export class CoverageModel {
  private readonly records = new Map<string, OperationRecord>();
  private readonly order: OperationRecord[] = [];

  constructor(operations: Iterable<Operation> = []) {
    for (const operation of operations) this.register(operation);
  }

  /** Puts an operation in scope (idempotent): its documented statuses, media types and parameters become items to cover. */
  register(operation: Operation): void {
    const key = operationKeyOf(operation);
    if (this.records.has(key)) return;
    const record = new OperationRecord(operation);
    this.records.set(key, record);
    this.order.push(record);
  }

  /**
   * One request and its answer. `status` is undefined when no answer came (only the parameters count then);
   * `parametersPresent` holds ids as `parameterId` makes them (see `parametersPresent`).
   */
  observeExchange(
    operation: Operation,
    phase: Phase,
    status: number | undefined,
    contentType: string | undefined,
    parametersPresent: Iterable<string>,
  ): void {
    const record = this.records.get(operationKeyOf(operation));
    if (!record) return;
    record.exchanges++;
    for (const id of parametersPresent) record.hit('parameters', id, phase);
    if (status === undefined) return;
    const response = documentedResponse(operation, status);
    if (!response) {
      record.undocumented.add(status);
      return;
    }
    record.hit('statuses', response.status, phase);
    const mediaType = mediaTypeOf(contentType);
    if (!mediaType) return;
    // A media type counts when the response documented for this status lists it (ranges such as application/* included).
    for (const media of response.content)
      if (mediaTypeMatches(media.mediaType, mediaType)) record.hit('contentTypes', media.mediaType, phase);
  }

  /**
   * Constraints of an operation worth probing (e.g. "body.recall_options.limit maximum"), each with a
   * valid and an invalid side, or only the sides given (a type or a required field has no valid side to probe).
   */
  declareConstraints(operation: Operation, ids: Iterable<string>, sides: readonly ProbeSide[] = PROBE_SIDES): void {
    const record = this.records.get(operationKeyOf(operation));
    if (!record) return;
    for (const id of ids) {
      for (const side of sides) {
        const itemId = constraintItemId(id, side);
        if (!record.items.constraints.has(itemId)) record.items.constraints.set(itemId, new Map());
      }
    }
  }

  /** A request sent on one side of a constraint. A constraint not declared yet is declared by its first probe. */
  probe(operation: Operation, constraintId: string, side: ProbeSide, phase: Phase): void {
    const record = this.records.get(operationKeyOf(operation));
    if (!record) return;
    const declared = PROBE_SIDES.some((s) => record.items.constraints.has(constraintItemId(constraintId, s)));
    if (!declared) this.declareConstraints(operation, [constraintId]);
    record.hit('constraints', constraintItemId(constraintId, side), phase);
  }

  summary(): CoverageSummary {
    const operations = this.order.map(summarise);
    const phases = new Set<Phase>();
    for (const operation of operations)
      for (const kind of ITEM_KINDS)
        for (const item of operation[kind]) for (const phase of item.phases) phases.add(phase);
    const sum = (kind: ItemKind) => ratio(operations.flatMap((o) => o[kind]));
    return {
      operations,
      totals: {
        statuses: sum('statuses'),
        contentTypes: sum('contentTypes'),
        parameters: sum('parameters'),
        constraints: sum('constraints'),
        overall: ratio(operations.flatMap((o) => ITEM_KINDS.flatMap((kind) => o[kind]))),
      },
      phases: [...phases].sort(),
    };
  }
}

function operationKeyOf(operation: Operation): string {
  return `${operation.spec.name}\u0000${operation.id}`;
}

function summarise(record: OperationRecord): OperationCoverage {
  const items = (kind: ItemKind): CoverageItem[] =>
    [...record.items[kind]].map(([id, hits]) => ({
      id,
      covered: hits.size > 0,
      phases: [...hits.keys()].sort(),
      hits: [...hits.values()].reduce((a, b) => a + b, 0),
    }));
  const { operation } = record;
  const coverage = {
    spec: operation.spec.name,
    operation: operation.id,
    method: operation.method.toUpperCase(),
    path: operation.path,
    exchanges: record.exchanges,
    statuses: items('statuses'),
    contentTypes: items('contentTypes'),
    parameters: items('parameters'),
    constraints: items('constraints'),
    undocumentedStatuses: [...record.undocumented].sort((a, b) => a - b),
  };
  return { ...coverage, overall: ratio(ITEM_KINDS.flatMap((kind) => coverage[kind])) };
}

export function ratio(items: readonly CoverageItem[]): Ratio {
  const covered = items.filter((item) => item.covered).length;
  return { covered, total: items.length, percent: items.length === 0 ? null : (covered / items.length) * 100 };
}

/**
 * The documented parameters a request carried, as coverage ids. Header names are matched without case;
 * `headers` are the request's own (credentials added on the wire are not parameters).
 */
export function parametersPresent(
  operation: Operation,
  sent: { path?: Iterable<string>; query?: Iterable<string>; headers?: Iterable<string>; cookies?: Iterable<string> },
): string[] {
  const present = new Set<string>();
  const add = (location: string, names: Iterable<string> | undefined) => {
    for (const name of names ?? []) present.add(parameterId(location, name));
  };
  add('path', sent.path);
  add('query', sent.query);
  add('header', sent.headers);
  add('cookie', sent.cookies);
  return parametersCarried(operation, (_parameter, id) => present.has(id));
}

/** An operation's parameters with their coverage ids, made once per operation (coverage runs for every exchange). */
const parameterIds = new WeakMap<Operation, [Parameter, string][]>();

/**
 * The coverage ids of the operation's parameters `carried` says a request had, in the operation's
 * order: for a caller that can tell without listing what the request sent.
 */
export function parametersCarried(
  operation: Operation,
  carried: (parameter: Parameter, id: string) => boolean,
): string[] {
  let parameters = parameterIds.get(operation);
  if (!parameters)
    parameterIds.set(operation, (parameters = operation.parameters.map((p) => [p, parameterId(p.in, p.name)])));
  const ids: string[] = [];
  for (const [parameter, id] of parameters) if (carried(parameter, id)) ids.push(id);
  return ids;
}
