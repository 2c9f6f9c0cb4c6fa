/**
 * The coverage phase: every planned probe of an operation's constraints sent once, deterministically
 * (no randomness, no shrinking: a probe is already one value at one place). Valid probes are judged
 * like valid requests, invalid ones like requests with a known violation; a failing probe is sent
 * once more before it is reported. What was probed is recorded per constraint.
 */
import { PreconditionFailed } from '../api-contract.js';
import { confirmAndRecord, judge, recordPrecondition, type PhaseContext } from '../judge.js';
import { baseRequest, planProbes, type PlannedProbe } from '../probe-plan.js';
import type { Selection } from '../select.js';
import type { JobOutcome } from '../schedule.js';
import type { ConstraintProbes, ContractRequest } from '../types.js';
import { cutOutcome } from './timing.js';

export interface CoverageInput {
  selection: Selection;
  /** Probes sent at most per operation. */
  budget: number;
}

export async function runCoverage(context: PhaseContext, input: CoverageInput, until: number): Promise<JobOutcome> {
  const { spec, operation, session, validator, state } = context;
  const checks = { valid: input.selection.checksFor('valid'), invalid: input.selection.checksFor('invalid') };
  if (checks.valid.length === 0 && checks.invalid.length === 0) return { done: true };
  let base: ContractRequest;
  try {
    base = await session.prepare(baseRequest(operation, validator, state.seed));
  } catch (error) {
    if (!(error instanceof PreconditionFailed)) throw error;
    recordPrecondition(context, error);
    return state.interrupted ? cutOutcome(state, false) : { done: false, reason: 'precondition', started: false };
  }
  const plan = planProbes(base, validator);
  const record = new Map<string, ConstraintProbes>(plan.constraints.map((id) => [id, { id, valid: 0, invalid: 0, unsent: 0 }]));
  const failedOnce = new Set<string>();
  let sent = 0;
  let outcome: JobOutcome = { done: true };
  /** A target that stopped answering leaves the other probes nothing to judge but more timeouts. */
  let lost = false;
  for (const [index, probe] of plan.probes.entries()) {
    const counts = record.get(probe.constraint)!;
    if (index >= input.budget) {
      counts.unsent++;
      continue;
    }
    if (outcome.done && (state.stopping || Date.now() >= until)) outcome = cutOutcome(state, sent > 0);
    if (!outcome.done || lost) {
      counts.unsent++;
      continue;
    }
    let request: ContractRequest | undefined;
    try {
      request = await requestFor(context, probe);
    } catch (error) {
      if (!(error instanceof PreconditionFailed)) throw error;
      recordPrecondition(context, error);
      outcome = state.interrupted ? cutOutcome(state, sent > 0) : { done: false, reason: 'precondition', started: sent > 0 };
      counts.unsent++;
      continue;
    }
    if (!request) {
      counts.unsent++;
      continue;
    }
    const exchange = await session.send(request, probe.kind);
    if (state.interrupted) {
      counts.unsent++;
      continue;
    }
    sent++;
    counts[probe.kind]++;
    lost = exchange.response === undefined;
    for (const [check, verdict] of judge(context, exchange, checks[probe.kind])) {
      // One report per check and constraint: a server that ignores a bound fails each probe past it.
      const key = `${check.name}\u0000${probe.constraint}`;
      if (failedOnce.has(key)) continue;
      failedOnce.add(key);
      await confirmAndRecord(
        context,
        { kind: 'check', phase: 'coverage', spec, operation: operation.id, check: check.name, message: verdict.message, expected: verdict.expected, exchange, constraint: probe.constraint },
        request,
        probe.kind,
        check,
      );
    }
  }
  state.constraints.push({
    spec: spec.name,
    operation: operation.id,
    constraints: [...record.values()],
    planned: plan.probes.length,
    sent,
    budgetCut: plan.probes.length > input.budget,
  });
  return outcome;
}

/**
 * The request a probe sends. A valid probe goes through the contract's preparation like any valid
 * request (rules the schema states only in prose); one the preparation changes at the probed place
 * cannot be sent as planned, and is left out.
 */
async function requestFor(context: PhaseContext, probe: PlannedProbe): Promise<ContractRequest | undefined> {
  if (probe.kind === 'invalid') return probe.request;
  const prepared = await context.session.prepare(probe.request);
  return JSON.stringify(valueAt(prepared, probe)) === JSON.stringify(valueAt(probe.request, probe)) ? prepared : undefined;
}

function valueAt(request: ContractRequest, probe: PlannedProbe): unknown {
  if (probe.root !== 'body') {
    const [where, ...name] = probe.root.split('.');
    const group = where === 'path' ? request.pathParams : where === 'query' ? request.query : request.headers;
    return group[where === 'header' ? name.join('.').toLowerCase() : name.join('.')];
  }
  let node: unknown = request.body;
  for (const segment of probe.path) node = node && typeof node === 'object' ? (node as Record<string | number, unknown>)[segment] : undefined;
  return node;
}
