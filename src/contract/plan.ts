/**
 * The plan of a run: selected operations × selected phases → jobs, in run order (phase by phase,
 * then spec, then operation). Each job knows how to run itself; the scheduler decides when.
 */
import type { Spec } from '../openapi/types.js';
import type { CheckPolicy } from './checks/policy.js';
import type { SpecValidator } from '../openapi/validator.js';
import { operationKey, type ApiContract, type ContractSession } from './api-contract.js';
import { jobSeed } from './job-seed.js';
import type { PhaseContext } from './judge.js';
import { coverageJob } from './phases/coverage.js';
import { examplesJob, hasExamples } from './phases/examples.js';
import { fuzzJob } from './phases/fuzz.js';
import { runSequence } from './phases/stateful.js';
import type { RunState } from './run-state.js';
import type { Job } from './schedule.js';
import type { Selection } from './select.js';
import type { Phase, RequestKind, ViolationKind } from './types.js';
import { applicableKinds } from './violations.js';
import { undocumentedMethod } from './requests.js';

export interface SpecPlanInput {
  spec: Spec;
  validator: SpecValidator;
  contract: ApiContract | undefined;
  /** One session per phase: exchanges are recorded with the phase that sent them. */
  session(phase: Phase): ContractSession;
  selection: Selection;
  state: RunState;
  policy: CheckPolicy;
  /** The run was given a key: only then can a wrong one be told apart from an open server's any-key (ignored_auth). */
  credentialsGiven: boolean;
  /** Valid requests per operation in the fuzz phase; invalid ones and sequences scale from it. */
  runs: number;
  coverageBudget: number;
}

export function planJobs(inputs: readonly SpecPlanInput[]): Job[] {
  const jobs: Job[] = [];
  for (const phase of inputs[0]?.selection.phases ?? []) {
    for (const input of inputs) jobs.push(...phaseJobs(input, phase));
  }
  return jobs;
}

function phaseJobs(input: SpecPlanInput, phase: Phase): Job[] {
  const { spec, selection, state, runs } = input;
  const operations = spec.operations.filter((operation) => selection.operation(operation));
  /** A job of this phase; its name is also what its seed is drawn from (see jobSeed), so the two cannot drift apart. */
  const jobOf = (
    operation: PhaseContext['operation'],
    name: string,
    work: (context: PhaseContext) => Pick<Job, 'run' | 'abandon'>,
    resumable?: true,
  ): Job => ({
    spec,
    operation,
    phase,
    name,
    resumable,
    ...work({
      spec,
      operation,
      phase,
      session: input.session(phase),
      validator: input.validator,
      state,
      seed: jobSeed(state.seed, spec.name, operation.id, phase, name),
      policy: input.policy,
    }),
  });
  switch (phase) {
    case 'examples': {
      const checks = selection.checksFor('valid');
      if (checks.length === 0) return [];
      return operations
        .filter(hasExamples)
        .map((operation) => jobOf(operation, 'examples', (context) => examplesJob(context, checks), true));
    }
    case 'coverage': {
      if (selection.checksFor('valid').length === 0 && selection.checksFor('invalid').length === 0) return [];
      return operations.map((operation) =>
        jobOf(
          operation,
          'coverage',
          (context) => coverageJob(context, { selection, budget: input.coverageBudget }),
          true,
        ),
      );
    }
    case 'fuzz':
      return operations.flatMap((operation) => {
        const job = (kind: RequestKind, numRuns: number, violation?: ViolationKind): Job[] => {
          const checks = selection.checksFor(kind);
          if (checks.length === 0) return [];
          const prepared = input.contract?.prepare?.[operationKey(operation)] !== undefined;
          return [
            jobOf(
              operation,
              `fuzz (${violation ? `invalid: ${violation}` : kind})`,
              (context) => fuzzJob(context, { kind, violation, numRuns, checks, prepared }),
              true,
            ),
          ];
        };
        return [
          ...job('valid', runs),
          ...applicableKinds(operation).flatMap((kind) => job('invalid', Math.max(3, Math.ceil(runs / 5)), kind)),
          ...(operation.security.length > 0 ? job('no-credentials', Math.max(2, Math.ceil(runs / 10))) : []),
          ...(operation.security.length > 0 && input.credentialsGiven
            ? job('wrong-credentials', Math.max(2, Math.ceil(runs / 10)))
            : []),
          // One probe per path with a method it does not document, sent from the path's first operation.
          ...(undocumentedMethod(spec, operation) &&
          spec.operations.find((op) => op.path === operation.path) === operation
            ? job('unsupported-method', 1)
            : []),
        ];
      });
    case 'stateful':
      return (input.contract?.sequences ?? []).flatMap((sequence): Job[] => {
        const needed = sequence.operations.map((key) => spec.operations.find((op) => operationKey(op) === key));
        if (needed.some((op) => op === undefined) || !selection.rule(sequence.name)) return [];
        const operation = needed[0]!;
        if (!selection.operation(operation)) return [];
        if (sequence.needsSecondCredential && !input.session(phase).hasSecondCredential) {
          state.warn(
            spec,
            operation.id,
            sequence.name,
            phase,
            'not run: it needs a second credential (--api-key twice, or --second-api-key)',
          );
          return [];
        }
        return [
          jobOf(operation, sequence.name, (context) => ({
            run: (until: number) => runSequence(context, sequence, Math.max(3, Math.ceil(runs / 5)), until),
          })),
        ];
      });
  }
}
