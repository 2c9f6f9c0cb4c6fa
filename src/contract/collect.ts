/** The last stage: the run's state as a report, in an order that does not depend on which job finished first. */
import type { Spec } from '../openapi/types.js';
import type { CheckRegistry } from './checks/registry.js';
import type { RunState } from './run-state.js';
import type { JobResult } from './schedule.js';
import { PHASES, type Failure, type Phase, type Report, type Untested } from './types.js';
import { VIOLATION_KINDS } from './violations.js';

export interface CollectInput {
  target: string;
  specs: readonly Spec[];
  phases: readonly Phase[];
  state: RunState;
  results: readonly JobResult[];
  registry: CheckRegistry;
  startedAt: number;
}

export function collectReport({ target, specs, phases, state, results, registry, startedAt }: CollectInput): Report {
  const untested: Untested[] = results
    .filter((r) => !r.outcome.done)
    .map(({ job, outcome }) => ({
      spec: job.spec.name,
      operation: job.operation.id,
      phase: job.phase,
      job: job.name,
      reason: outcome.done ? 'deadline' : outcome.reason,
      started: outcome.done ? true : outcome.started,
    }));
  const order = ranker(specs, registry);
  const byRank = (a: Failure, b: Failure) =>
    compareRanks(order(a), order(b)) ||
    a.check.localeCompare(b.check) ||
    (a.constraint ?? '').localeCompare(b.constraint ?? '') ||
    a.curl.localeCompare(b.curl);
  return {
    target,
    seed: state.seed,
    specs: specs.map(({ name, title, file }) => ({ name, title, file })),
    phases: [...phases],
    tallies: [...state.tallies.values()].sort((a, b) => compareRanks(order(a), order(b))),
    failures: [...state.failures].sort(byRank),
    flaky: [...state.flaky].sort((a, b) => byRank(a.failure, b.failure)),
    warnings: state.warnings,
    requests: state.requests,
    durationMs: Math.round(performance.now() - startedAt),
    interrupted: state.interrupted,
    untested: untested.sort((a, b) => compareRanks(order(a), order(b)) || a.job.localeCompare(b.job)),
    stoppedAtFirstFailure: state.stoppedAtFirstFailure,
    constraints: [...state.constraints].sort((a, b) => compareRanks(order(a), order(b))),
    timings: [...state.timings.values()],
    coverage: state.coverage.summary(),
    ...(state.cleanup ? { cleanup: state.cleanup } : {}),
  };
}

/** Rank by spec, operation, phase, check (registry order), then violation kind. */
function ranker(specs: readonly Spec[], registry: CheckRegistry) {
  return (item: {
    spec: string;
    operation: string;
    phase?: Phase;
    check?: string;
    violation?: Failure['violation'];
  }): number[] => {
    const spec = specs.findIndex((s) => s.name === item.spec);
    return [
      spec,
      specs[spec]?.operations.findIndex((op) => op.id === item.operation) ?? -1,
      item.phase ? PHASES.indexOf(item.phase) : -1,
      item.check ? registry.rank(item.check) : -1,
      item.violation ? VIOLATION_KINDS.indexOf(item.violation.kind) + 1 : 0,
    ];
  };
}

function compareRanks(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

/**
 * Operations the run meant to test but ran out of time for (the deadline, or their share of it).
 * Work left out because of a failure (a failed precondition, --fail-fast) is listed in `untested`
 * too, but there the failure is the verdict.
 */
export function untestedOperations(report: Pick<Report, 'untested'>): string[] {
  return [
    ...new Set(
      report.untested
        .filter((u) => u.reason === 'deadline' || u.reason === 'time-share')
        .map((u) => `${u.spec} ${u.operation}`),
    ),
  ];
}

/** The verdict a gate acts on. */
export type RunVerdict = 'conforms' | 'fails' | 'incomplete';

/**
 * "conforms" only when everything selected ran to its end with no failure and nothing flaky; a run
 * cut short is "incomplete" whatever it found so far (--allow-partial then judges what did run).
 */
export function verdictOf(report: Pick<Report, 'failures' | 'flaky' | 'untested' | 'interrupted'>): RunVerdict {
  if (report.interrupted || untestedOperations(report).length > 0) return 'incomplete';
  return report.failures.length > 0 || report.flaky.length > 0 ? 'fails' : 'conforms';
}
