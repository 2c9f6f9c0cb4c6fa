/**
 * The stateful phase: a contract's sequences as fast-check properties. A failure names the operation
 * of the request whose answer broke the sequence, and is re-run once with the same input before it
 * is reported (flaky when the second run passes).
 */
import fc from 'fast-check';
import { PreconditionFailed, type ContractSession, type Sequence, type SequenceOutcome } from '../api-contract.js';
import { recordHarnessError, recordPrecondition, type PhaseContext } from '../judge.js';
import type { JobOutcome } from '../schedule.js';
import { checkUntil, cutBeforeFirstRun, cutOutcome } from './timing.js';

export async function runSequence(
  context: PhaseContext,
  sequence: Sequence,
  numRuns: number,
  until: number,
): Promise<JobOutcome> {
  const { spec, operation, session, state } = context;
  if (state.stopping || Date.now() >= until) return cutOutcome(state, false);
  let lastFailure: Extract<SequenceOutcome, { ok: false }> | undefined;
  let started = false;
  let blocked = false;
  const property = fc.asyncProperty(inputOf(sequence, session), async (value) => {
    // No shrinking past a lost response: every attempt would wait out the request timeout again.
    if (blocked || (lastFailure && !lastFailure.exchange.response)) return true;
    started = true;
    let outcome: SequenceOutcome;
    try {
      outcome = await sequence.run(session, value);
    } catch (error) {
      if (!(error instanceof PreconditionFailed)) throw error;
      recordPrecondition(context, error);
      blocked = true;
      return true;
    }
    if (state.interrupted) return true;
    state.tally(
      spec,
      operation.id,
      sequence.name,
      'stateful',
      outcome.ok ? { outcome: 'pass' } : { outcome: 'fail', message: outcome.message, expected: outcome.expected },
    );
    if (!outcome.ok) lastFailure = outcome;
    return outcome.ok;
  });
  const result = await checkUntil(property, numRuns, context.seed, until);
  if (blocked) return state.interrupted ? cutOutcome(state, started) : { done: false, reason: 'precondition', started };
  if (result.failed && lastFailure) {
    const failing = lastFailure;
    const recorded = state.failure({
      kind: 'sequence',
      phase: 'stateful',
      spec,
      // The request whose answer broke the sequence, not the sequence's first operation.
      operation: failing.exchange.request.operation.id,
      check: sequence.name,
      message: failing.message,
      expected: failing.expected,
      exchange: failing.exchange,
      path: result.counterexamplePath ?? undefined,
      shrinkingCut: result.interrupted,
      replayOnly: [sequence.name],
    });
    const passedAgain =
      !state.interrupted &&
      failing.exchange.response !== undefined &&
      (await passesAgain(sequence, session, result.counterexample![0]));
    if (passedAgain) state.flaky.push({ failure: recorded, retry: { status: undefined } });
    else state.failures.push(recorded);
    return { done: true };
  }
  if (result.failed && !cutBeforeFirstRun(result)) {
    recordHarnessError(context, result.errorInstance);
    return { done: true };
  }
  return result.interrupted ? cutOutcome(state, started) : { done: true };
}

/** Runs a failed sequence once more with the same input (shrunk by fast-check). */
async function passesAgain(sequence: Sequence, session: PhaseContext['session'], input: unknown): Promise<boolean> {
  try {
    return (await sequence.run(session, input)).ok;
  } catch {
    return false;
  }
}

/** A sequence's generated input, or undefined for one that sends fixed requests. */
function inputOf(sequence: Sequence, session: ContractSession): fc.Arbitrary<unknown> {
  return sequence.input ? sequence.input(session) : fc.constant(undefined);
}
