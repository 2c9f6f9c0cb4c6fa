/**
 * The coverage phase: every planned probe of an operation's constraints sent once, deterministically
 * (no randomness, no shrinking: a probe is already one value at one place). Valid probes are judged
 * like valid requests, invalid ones like requests with a known violation; a failing probe is sent
 * once more before it is reported. What was probed is recorded per constraint.
 */
import { PreconditionFailed } from '../api-contract.js';
import { confirmCheckFailure, judge, recordPrecondition, type FailedVerdict, type PhaseContext } from '../judge.js';
import { baseRequest, planProbes, type PlannedProbe } from '../probe-plan.js';
import type { Selection } from '../select.js';
import type { JobOutcome } from '../schedule.js';
import type { Check, ConstraintProbes, ContractRequest, Exchange } from '../types.js';
import { cutOutcome } from './timing.js';

/** Probes of one operation in flight at once. */
export const PROBES_IN_FLIGHT = 4;

export interface CoverageInput {
  selection: Selection;
  /** Probes sent at most per operation. */
  budget: number;
}

/**
 * The coverage phase of one operation, as a job that can stop at the end of its time slice and go on
 * later where it stopped (the plan is made once, each probe sent once).
 */
export function coverageJob(
  context: PhaseContext,
  input: CoverageInput,
): { run(until: number): Promise<JobOutcome>; abandon(): void } {
  const { spec, operation, session, validator, state } = context;
  const checks = { valid: input.selection.checksFor('valid'), invalid: input.selection.checksFor('invalid') };
  let plan: { probes: PlannedProbe[]; record: Map<string, ConstraintProbes> } | undefined;
  const failedOnce = new Set<string>();
  let next = 0;
  let sent = 0;
  /** A target that stopped answering leaves the other probes nothing to judge but more timeouts. */
  let lost = false;

  /** The report entry, with every probe not sent by the end counted as unsent. */
  const finish = (outcome: JobOutcome): JobOutcome => {
    if (!plan) return outcome;
    for (const probe of plan.probes.slice(next)) plan.record.get(probe.constraint)!.unsent++;
    state.constraints.push({
      spec: spec.name,
      operation: operation.id,
      constraints: [...plan.record.values()],
      planned: plan.probes.length,
      sent,
      budgetCut: plan.probes.length > input.budget,
    });
    return outcome;
  };

  const run = async (until: number): Promise<JobOutcome> => {
    if (checks.valid.length === 0 && checks.invalid.length === 0) return { done: true };
    if (!plan) {
      let base: ContractRequest;
      try {
        base = await session.prepare(baseRequest(operation, validator, context.seed));
      } catch (error) {
        if (!(error instanceof PreconditionFailed)) throw error;
        recordPrecondition(context, error);
        return state.interrupted ? cutOutcome(state, false) : { done: false, reason: 'precondition', started: false };
      }
      const planned = planProbes(base, validator);
      for (const [id, sides] of planned.sides) state.coverage.declareConstraints(operation, [id], [...sides]);
      plan = {
        probes: planned.probes,
        record: new Map(planned.constraints.map((id) => [id, { id, valid: 0, invalid: 0, unsent: 0 }])),
      };
    }
    const { probes, record } = plan;
    const last = Math.min(probes.length, input.budget);
    /** Set when this slice must end: its time is up, the run stops, or a precondition failed. */
    let stop: JobOutcome | undefined;

    /** Per check and constraint, the first failing probe (lowest index: the same report whatever lane was quicker). */
    const failing = new Map<
      string,
      {
        index: number;
        probe: PlannedProbe;
        exchange: Exchange;
        check: Check;
        verdict: FailedVerdict;
      }
    >();

    const sendProbe = async (index: number): Promise<void> => {
      const probe = probes[index];
      const counts = record.get(probe.constraint)!;
      let request: ContractRequest | undefined;
      try {
        request = await requestFor(context, probe);
      } catch (error) {
        if (!(error instanceof PreconditionFailed)) throw error;
        recordPrecondition(context, error);
        stop ??= state.interrupted
          ? cutOutcome(state, sent > 0)
          : { done: false, reason: 'precondition', started: sent > 0 };
        return;
      }
      if (!request) {
        counts.unsent++;
        return;
      }
      const exchange = await session.send(request, probe.kind);
      if (state.interrupted) {
        counts.unsent++;
        return;
      }
      sent++;
      counts[probe.kind]++;
      state.coverage.probe(operation, probe.constraint, probe.kind, 'coverage');
      lost ||= exchange.response === undefined;
      for (const [check, verdict] of judge(context, exchange, checks[probe.kind])) {
        // One report per check and constraint: a server that ignores a bound fails each probe past it.
        const key = `${check.name}\u0000${probe.constraint}`;
        if (failedOnce.has(key) || (failing.get(key)?.index ?? Infinity) < index) continue;
        failing.set(key, { index, probe, exchange, check, verdict });
      }
    };

    // Probes are independent of each other: a few go out at once, each lane taking the next one.
    const lane = async () => {
      while (next < last && !stop && !lost) {
        if (state.stopping || Date.now() >= until) {
          stop = cutOutcome(state, sent > 0);
          return;
        }
        await sendProbe(next++);
      }
    };
    await Promise.all(Array.from({ length: PROBES_IN_FLIGHT }, lane));
    for (const [key, { probe, exchange, check, verdict }] of [...failing].sort(([, a], [, b]) => a.index - b.index)) {
      failedOnce.add(key);
      await confirmCheckFailure(context, 'coverage', [check, verdict], exchange, probe.kind, {
        constraint: probe.constraint,
      });
    }
    if (stop && !stop.done && stop.reason === 'time-share') return stop; // comes back for the rest
    if (state.interrupted) return finish(cutOutcome(state, sent > 0));
    return finish(stop ?? { done: true });
  };
  return { run, abandon: () => void finish({ done: true }) };
}

/**
 * The request a probe sends. A valid probe goes through the contract's preparation like any valid
 * request (rules the schema states only in prose); one the preparation changes at the probed place
 * cannot be sent as planned, and is left out.
 */
async function requestFor(context: PhaseContext, probe: PlannedProbe): Promise<ContractRequest | undefined> {
  if (probe.kind === 'invalid') return probe.request;
  const prepared = await context.session.prepare(probe.request);
  return JSON.stringify(valueAt(prepared, probe)) === JSON.stringify(valueAt(probe.request, probe))
    ? prepared
    : undefined;
}

function valueAt(request: ContractRequest, probe: PlannedProbe): unknown {
  if (probe.root !== 'body') {
    const [where, ...name] = probe.root.split('.');
    const group = where === 'path' ? request.pathParams : where === 'query' ? request.query : request.headers;
    return group[where === 'header' ? name.join('.').toLowerCase() : name.join('.')];
  }
  let node: unknown = request.body;
  for (const segment of probe.path)
    node = node && typeof node === 'object' ? (node as Record<string | number, unknown>)[segment] : undefined;
  return node;
}
