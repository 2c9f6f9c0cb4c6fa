/** What a run accumulates while its phases work: counters, failures, warnings, timings, what was left untested. */
import { observeContractExchange } from '../coverage/contract-exchange.js';
import { CoverageModel } from '../coverage/model.js';
import type { Spec } from '../openapi/types.js';
import type { CleanupReport, CreatedResources } from './cleanup.js';
import { toCurl } from './http.js';
import type {
  ConstraintCoverage,
  Exchange,
  Failure,
  FailureKind,
  Flaky,
  OperationTiming,
  Phase,
  Tally,
  Untested,
  Verdict,
  Warning,
} from './types.js';

/** Sees every exchange of the run, with the phase that sent it (e.g. to build a coverage model). */
export type ExchangeObserver = (spec: Spec, exchange: Exchange, phase: Phase) => void;

export interface FailureInput {
  kind: FailureKind;
  phase: Phase;
  spec: Spec;
  operation: string;
  check: string;
  message: string;
  expected: string;
  exchange?: Exchange;
  /** The operation (and check) a replay must select; defaults to the failing operation and check. */
  replayOnly?: string[];
  path?: string;
  shrinkingCut?: boolean;
  blocked?: string;
  constraint?: string;
}

export class RunState {
  readonly tallies = new Map<string, Tally>();
  readonly failures: Failure[] = [];
  readonly warnings: Warning[] = [];
  readonly flaky: Flaky[] = [];
  readonly untested: Untested[] = [];
  readonly constraints: ConstraintCoverage[] = [];
  readonly timings = new Map<string, OperationTiming>();
  /** What the run exercised of what the specs document (statuses, content types, parameters, constraints). */
  readonly coverage = new CoverageModel();
  private readonly warned = new Set<string>();
  private readonly observers: ExchangeObserver[] = [];
  cleanup: CleanupReport | undefined;
  requests = 0;
  /** The run's deadline passed. */
  interrupted = false;

  constructor(
    readonly seed: number,
    readonly failFast: boolean,
    readonly created: CreatedResources | undefined,
  ) {}

  /** True once no more work should start: past the deadline, or a failure under --fail-fast. */
  get stopping(): boolean {
    return this.interrupted || this.stoppedAtFirstFailure;
  }

  get stoppedAtFirstFailure(): boolean {
    return this.failFast && (this.failures.length > 0 || this.flaky.length > 0);
  }

  onExchange(observer: ExchangeObserver): void {
    this.observers.push(observer);
  }

  /** Every exchange passes here: timings per operation, what --cleanup will delete, and the observers. */
  observe(spec: Spec, exchange: Exchange, phase: Phase): void {
    this.requests++;
    this.created?.observe(exchange);
    observeContractExchange(this.coverage, exchange, phase);
    for (const observer of this.observers) observer(spec, exchange, phase);
    if (!exchange.response) return;
    const key = `${spec.name}\u0000${exchange.request.operation.id}`;
    let timing = this.timings.get(key);
    if (!timing)
      this.timings.set(
        key,
        (timing = { spec: spec.name, operation: exchange.request.operation.id, requests: 0, totalMs: 0, maxMs: 0 }),
      );
    timing.requests++;
    timing.totalMs += exchange.response.durationMs;
    timing.maxMs = Math.max(timing.maxMs, exchange.response.durationMs);
  }

  tally(spec: Spec, operation: string, check: string, phase: Phase, verdict: Verdict): void {
    countVerdict(this.tallyOf(spec, operation, check, phase), verdict);
  }

  /** The counters of one check on one operation in one phase (callers judging many answers keep it at hand). */
  tallyOf(spec: Spec, operation: string, check: string, phase: Phase): Tally {
    const key = `${spec.name}\u0000${operation}\u0000${check}\u0000${phase}`;
    let tally = this.tallies.get(key);
    if (!tally)
      this.tallies.set(key, (tally = { spec: spec.name, operation, check, phase, passed: 0, failed: 0, warned: 0 }));
    return tally;
  }

  warn(spec: Spec, operation: string, check: string, phase: Phase, message: string, exchange?: Exchange): void {
    const key = `${spec.name}|${operation}|${check}|${message.replace(/\d+/g, '#').slice(0, 60)}`;
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.warnings.push({
      phase,
      spec: spec.name,
      operation,
      check,
      message,
      curl: exchange ? toCurl(exchange.wire) : '',
    });
  }

  failure(input: FailureInput): Failure {
    const { exchange, spec } = input;
    const operation = exchange?.request.operation;
    return {
      kind: input.kind,
      phase: input.phase,
      spec: spec.name,
      operation: input.operation,
      check: input.check,
      message: input.message,
      expected: input.expected,
      wire: exchange?.wire ?? {
        method: operation?.method.toUpperCase() ?? '',
        url: operation?.path ?? '',
        headers: {},
      },
      curl: exchange ? toCurl(exchange.wire) : '',
      response: exchange?.response,
      ...(exchange?.transportError ? { transportError: exchange.transportError } : {}),
      ...(exchange?.request.violation ? { violation: exchange.request.violation } : {}),
      seed: this.seed,
      ...(input.path ? { path: input.path } : {}),
      ...(input.shrinkingCut ? { shrinkingCut: true } : {}),
      ...(input.blocked ? { blocked: input.blocked } : {}),
      ...(input.constraint ? { constraint: input.constraint } : {}),
      replay: { seed: this.seed, phase: input.phase, only: input.replayOnly ?? [input.operation, input.check] },
    };
  }

  fail(input: FailureInput): void {
    this.failures.push(this.failure(input));
  }

  /** A precondition failure is reported once per (failing operation, dependent operation, phase). */
  failPrecondition(input: FailureInput): void {
    const seen = this.failures.some(
      (f) =>
        f.kind === 'precondition' &&
        f.spec === input.spec.name &&
        f.operation === input.operation &&
        f.blocked === input.blocked &&
        f.phase === input.phase,
    );
    if (!seen) this.fail(input);
  }
}

/** Counts a verdict in its tally (a skipped check counts nowhere). */
export function countVerdict(tally: Tally, verdict: Verdict): void {
  if (verdict.outcome === 'pass') tally.passed++;
  else if (verdict.outcome === 'fail') tally.failed++;
  else if (verdict.outcome === 'warn') tally.warned++;
}
