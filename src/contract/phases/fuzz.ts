/**
 * The fuzz phase: fast-check properties per operation over valid requests, requests with one known
 * violation of a kind, and requests without credentials. Each failure is shrunk to the smallest
 * request that still fails, then sent once more before it is reported.
 */
import fc from 'fast-check';
import { PreconditionFailed } from '../api-contract.js';
import {
  confirmCheckFailure,
  judge,
  recordHarnessError,
  recordPrecondition,
  type FailedVerdict,
  type PhaseContext,
} from '../judge.js';
import { undocumentedMethod, validRequestArbitrary } from '../requests.js';
import type { JobOutcome } from '../schedule.js';
import type { Check, ContractRequest, Exchange, RequestKind, ViolationKind } from '../types.js';
import { canCarry, violationOf } from '../violations.js';
import { checkUntil, cutBeforeFirstRun, cutOutcome } from './timing.js';

export interface FuzzInput {
  kind: RequestKind;
  violation?: ViolationKind;
  numRuns: number;
  checks: Check[];
  /** The contract prepares the operation's requests (a hook that may send requests of its own). */
  prepared?: boolean;
}

/**
 * A fuzz job. Resumable: cut at its share of the time, it keeps the checks still to find and the
 * runs still to make, and goes on later with those runs drawn from the next seed.
 */
export function fuzzJob(context: PhaseContext, input: FuzzInput): { run(until: number): Promise<JobOutcome> } {
  const progress: FuzzProgress = { remaining: [...input.checks], runsLeft: input.numRuns, slices: 0 };
  return { run: (until: number) => runFuzz(context, input, until, progress) };
}

interface FuzzProgress {
  /** The checks no round has failed yet. */
  remaining: Check[];
  runsLeft: number;
  /** Slices already cut at their share: the seed of the next is the run's seed plus this many. */
  slices: number;
}

async function runFuzz(
  context: PhaseContext,
  input: FuzzInput,
  until: number,
  progress: FuzzProgress,
): Promise<JobOutcome> {
  const { operation, session, state } = context;
  const { kind } = input;
  const { remaining } = progress;
  if (remaining.length === 0 || progress.runsLeft <= 0) return { done: true };
  // No request of the operation can carry this violation: every draw would be made and dropped unsent.
  // Not when a contract prepares them, as its hook sends what it sends for each draw.
  if (input.violation && !input.prepared && !canCarry(operation, input.violation)) return { done: true };
  const { validator } = context;
  const arbitrary = fc.tuple(validRequestArbitrary(operation), fc.nat());
  const buildRequest = async ([generated, pick]: [ContractRequest, number]): Promise<ContractRequest | undefined> => {
    const prepared = await session.prepare(generated);
    if (kind === 'no-credentials') return { ...prepared, withoutCredentials: true };
    if (kind === 'wrong-credentials') return { ...prepared, credential: 'wrong' };
    if (kind === 'unsupported-method')
      return { ...prepared, method: undocumentedMethod(context.spec, operation), body: undefined };
    if (kind === 'valid') return prepared;
    return violationOf(prepared, input.violation!, validator, pick);
  };
  let started = false;
  let blocked = false;
  // Each round finds (and shrinks) one failing check; it is then set aside so the next round can find another.
  const cut = () => {
    progress.slices++;
    return cutOutcome(state, started);
  };
  while (remaining.length > 0) {
    if (state.stopping || Date.now() >= until) return cut();
    let lastFailure: { exchange: Exchange; failed: [Check, FailedVerdict][] } | undefined;
    let runs = 0;
    const property = fc.asyncProperty(arbitrary, async (generated) => {
      if (!lastFailure) runs++;
      // No shrinking past a lost response (every attempt would wait out the timeout again), nor past a failed precondition.
      if (blocked || (lastFailure && !lastFailure.exchange.response)) return true;
      let request: ContractRequest | undefined;
      try {
        request = await buildRequest(generated);
      } catch (error) {
        if (!(error instanceof PreconditionFailed)) throw error;
        recordPrecondition(context, error);
        blocked = true;
        return true;
      }
      if (!request) return true;
      started = true;
      const exchange = await session.send(request, kind);
      if (state.interrupted) return true; // cut off by the deadline: not the target's fault
      const failed = judge(context, exchange, remaining);
      if (failed.length > 0) lastFailure = { exchange, failed };
      return failed.length === 0;
    });
    const result = await checkUntil(property, progress.runsLeft, context.seed + progress.slices, until);
    if (blocked)
      return state.interrupted ? cutOutcome(state, started) : { done: false, reason: 'precondition', started };
    if (!result.failed) {
      if (!result.interrupted) return { done: true };
      progress.runsLeft = Math.max(1, progress.runsLeft - runs);
      return cut();
    }
    if (cutBeforeFirstRun(result)) return cut();
    if (!lastFailure) {
      recordHarnessError(context, result.errorInstance);
      return { done: true };
    }
    const [check] = lastFailure.failed[0];
    await confirmCheckFailure(context, 'fuzz', lastFailure.failed[0], lastFailure.exchange, kind, {
      path: result.counterexamplePath ?? undefined,
      shrinkingCut: result.interrupted,
    });
    // A target that stopped answering leaves the other checks nothing to judge but more timeouts.
    if (!lastFailure.exchange.response) return { done: true };
    remaining.splice(remaining.indexOf(check), 1);
  }
  return { done: true };
}
