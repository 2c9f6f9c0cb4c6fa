/**
 * Judging one exchange with the selected checks, and what every phase does with a failure before it
 * is reported: send the same request once more, and call it flaky when the second answer passes.
 */
import type { Operation, Spec } from '../openapi/types.js';
import { verdictUnderPolicy, type CheckPolicy } from './checks/policy.js';
import type { SpecValidator } from '../openapi/validator.js';
import type { ContractSession } from './api-contract.js';
import type { PreconditionFailed } from './api-contract.js';
import { countVerdict, type FailureInput, type RunState } from './run-state.js';
import type { Check, ContractRequest, Exchange, Failure, Phase, RequestKind, Tally, Verdict } from './types.js';

export type FailedVerdict = Extract<Verdict, { outcome: 'fail' }>;

export interface PhaseContext {
  spec: Spec;
  operation: Operation;
  phase: Phase;
  session: ContractSession;
  validator: SpecValidator;
  state: RunState;
  /** The job's own seed (see jobSeed): what its requests are drawn from. */
  seed: number;
  /** --max-response-time, --strict and opt-in checks. */
  policy: CheckPolicy;
}

/** Each job's context judges many answers with the same checks: their tallies, found once per job. */
const talliesOfContext = new WeakMap<PhaseContext, Map<Check, Tally>>();

/** Runs the checks on an exchange, counting and warning as it goes; returns the failed ones. */
export function judge(context: PhaseContext, exchange: Exchange, checks: readonly Check[]): [Check, FailedVerdict][] {
  const { spec, operation, phase, state } = context;
  const failed: [Check, FailedVerdict][] = [];
  let tallies = talliesOfContext.get(context);
  if (!tallies) talliesOfContext.set(context, (tallies = new Map()));
  for (const check of checks) {
    const verdict = verdictUnderPolicy(check, exchange, context.policy);
    let tally = tallies.get(check);
    if (!tally) tallies.set(check, (tally = state.tallyOf(spec, operation.id, check.name, phase)));
    countVerdict(tally, verdict);
    if (verdict.outcome === 'fail') failed.push([check, verdict]);
    else if (verdict.outcome === 'warn') state.warn(spec, operation.id, check.name, phase, verdict.message, exchange);
  }
  return failed;
}

/**
 * Sends a failing request once more and judges it with the check that failed. A failure that does
 * not happen again is flaky: reported apart, with what the second attempt got.
 */
/** `confirmAndRecord` for a check one exchange of the phase's operation failed. */
export function confirmCheckFailure(
  context: PhaseContext,
  phase: Phase,
  [check, verdict]: [Check, FailedVerdict],
  exchange: Exchange,
  kind: RequestKind,
  details: Pick<FailureInput, 'constraint' | 'path' | 'shrinkingCut'> = {},
): Promise<Failure> {
  return confirmAndRecord(
    context,
    {
      kind: 'check',
      phase,
      spec: context.spec,
      operation: context.operation.id,
      check: check.name,
      message: verdict.message,
      expected: verdict.expected,
      exchange,
      ...details,
    },
    exchange.request,
    kind,
    check,
  );
}

export async function confirmAndRecord(
  context: PhaseContext,
  failure: FailureInput,
  request: ContractRequest,
  kind: RequestKind,
  check: Check,
): Promise<Failure> {
  const { session, state } = context;
  const recorded = state.failure(failure);
  const again = await session.send(request, kind);
  if (state.interrupted) {
    // The deadline cut the re-send off: the first answer stands.
    state.failures.push(recorded);
    return recorded;
  }
  const verdict = verdictUnderPolicy(check, again, context.policy);
  if (verdict.outcome === 'fail') state.failures.push(recorded);
  else
    state.flaky.push({
      failure: recorded,
      retry: {
        status: again.response?.status,
        ...(again.transportError ? { transportError: again.transportError } : {}),
      },
    });
  return recorded;
}

/**
 * Records a failed precondition against the operation of the request that could not be made; not
 * when the run's deadline cut that request off (then nothing failed, the run was cut).
 */
export function recordPrecondition(context: PhaseContext, error: PreconditionFailed): void {
  const { spec, operation, phase, state } = context;
  if (state.interrupted) return;
  state.failPrecondition({
    kind: 'precondition',
    phase,
    spec,
    operation: error.exchange.request.operation.id,
    check: 'precondition',
    message: `${error.message} (needed to test ${operation.id})`,
    expected: error.expected,
    exchange: error.exchange,
    blocked: operation.id,
    replayOnly: [operation.id],
  });
}

/** A step that threw instead of judging (a bug in a contract, an unexpected error): reported, not hidden. */
export function recordHarnessError(context: PhaseContext, error: unknown): void {
  const { spec, operation, phase, state } = context;
  const message = error instanceof Error ? error.message : String(error);
  state.fail({
    kind: 'harness',
    phase,
    spec,
    operation: operation.id,
    check: 'setup',
    message: `the run could not complete: ${message}`,
    expected: 'the setup requests of the contract to succeed',
    replayOnly: [operation.id],
  });
}
