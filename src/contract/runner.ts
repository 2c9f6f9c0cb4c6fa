/**
 * Runs the contract suite against a target, in stages: select (--only/--skip/--phases against the
 * operations, the check registry and the contracts' sequences), plan (operations × phases → jobs),
 * run (a fair schedule of the jobs: examples, coverage, fuzz, stateful), collect (the report).
 */
import { loadSpecs } from '../openapi/load.js';
import type { Spec } from '../openapi/types.js';
import { validatorOf } from '../openapi/validator.js';
import type { ApiContract } from './api-contract.js';
import { defaultCheckRegistry, type CheckRegistry } from './checks/registry.js';
import { CreatedResources } from './cleanup.js';
import { collectReport, verdictOf } from './collect.js';
import type { CheckPolicy } from './checks/policy.js';
import { contractForSpec, GENERIC_SEQUENCE_NAMES } from './generic-contract.js';
import { TargetClient, type Credentials } from './http.js';
import { PROBES_IN_FLIGHT } from './phases/coverage.js';
import { planJobs } from './plan.js';
import { RunState, type ExchangeObserver } from './run-state.js';
import { runJobs } from './schedule.js';
import { EmptySelectionError, Selection } from './select.js';
import { contractFor, createSession, type SessionCredentials } from './session.js';
import type { Phase, Report } from './types.js';

export { EmptySelectionError, UnknownSelectionError } from './select.js';

export interface ContractOptions extends Credentials {
  /** Base URL of the server under test. */
  target: string;
  specFiles?: string[];
  specs?: Spec[];
  /** API contracts with preparation and sequences (default: none; the CLI passes the bundled ones). */
  contracts?: ApiContract[];
  /** The checks to run (default: every check that ships with parley). */
  checks?: CheckRegistry;
  seed?: number;
  /** Valid requests per operation in the fuzz phase; invalid ones and sequences scale from it. */
  runs?: number;
  /** Phases to run (default: all, in order: examples, coverage, fuzz, stateful). */
  phases?: Phase[];
  /** Requests the coverage phase sends at most per operation. */
  coverageBudget?: number;
  /** Overall deadline for the run. */
  maxTimeMs?: number;
  requestTimeoutMs?: number;
  /** Bytes of one response read before it is a transport failure (default DEFAULT_MAX_RESPONSE_BYTES). */
  maxResponseBytes?: number;
  /** Jobs running at once (each sends one request at a time). */
  concurrency?: number;
  /** Stop at the first failure. */
  failFast?: boolean;
  /** Operation ids, "METHOD /path" keys, check or sequence names to include / exclude. */
  only?: string[];
  skip?: string[];
  fixtures?: Record<string, string>;
  onProgress?: (progress: Progress) => void;
  /** Sees every exchange with the phase that sent it. */
  onExchange?: ExchangeObserver;
  /** Cap on requests per second (a shared sandbox). */
  ratePerSecond?: number;
  /** Delete what the run created, where the spec documents a DELETE. */
  cleanup?: boolean;
  /** A second API key, another tenant: enables the tenant-isolation sequences. */
  secondApiKey?: string;
  /** Answers slower than this fail max_response_time (without it, slow answers are warnings). */
  maxResponseTimeMs?: number;
  /** Every warning is a failure: for gates that want the letter of the spec. */
  strict?: boolean;
  /** False: no generic `crud.*` sequence runs, neither beside a contract nor where none fits (default true). */
  generic?: boolean;
}

export interface Progress {
  done: number;
  total: number;
  requests: number;
  failures: number;
  current: string;
}

export class TargetUnreachableError extends Error {
  override name = 'TargetUnreachableError';
}

export const DEFAULT_RUNS = 50;
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
export const DEFAULT_COVERAGE_BUDGET = 500;
/** Sent where a key is expected, for ignored_auth: no server should know it. */
export const WRONG_API_KEY = 'parley-invalid-key-0000';

/** Runs the suite and returns its report; throws TargetUnreachableError when the target cannot be reached. */
export async function runContract(options: ContractOptions): Promise<Report> {
  const startedAt = performance.now();
  const specs = options.specs ?? (await loadSpecs(options.specFiles ?? []));
  const contracts = options.contracts ?? [];
  const registry = options.checks ?? defaultCheckRegistry();
  const selection = new Selection(options, specs, registry, [
    ...contracts.flatMap((c) => c.sequences.map((s) => s.name)),
    ...(options.generic === false ? [] : GENERIC_SEQUENCE_NAMES),
  ]);
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const state = new RunState(
    seed,
    options.failFast === true,
    options.cleanup ? new CreatedResources(specs) : undefined,
  );
  if (options.onExchange) state.onExchange(options.onExchange);
  // Coverage is measured against what was selected: a run limited with --only is judged on that.
  for (const operation of specs.flatMap((spec) => spec.operations))
    if (selection.operation(operation)) state.coverage.register(operation);
  const client = new TargetClient(
    options.target,
    options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    // As many connections as requests can be in flight: one per job, a few per coverage job.
    concurrency * PROBES_IN_FLIGHT,
    { ratePerSecond: options.ratePerSecond, maxResponseBytes: options.maxResponseBytes },
  );
  const credentials = {
    primary: { apiKey: options.apiKey, basic: options.basic, headers: options.headers },
    ...(options.secondApiKey !== undefined && options.secondApiKey !== options.apiKey
      ? { secondary: { apiKey: options.secondApiKey, headers: options.headers } }
      : {}),
    // The wrong key goes wherever the right one would, and as Basic credentials where the scheme is Basic.
    wrong: {
      apiKey: WRONG_API_KEY,
      ...(options.basic !== undefined ? { basic: `${WRONG_API_KEY}:${WRONG_API_KEY}` } : {}),
      headers: options.headers,
    },
  } satisfies SessionCredentials;
  const policy: CheckPolicy = {
    maxResponseTimeMs: options.maxResponseTimeMs,
    strict: options.strict,
    named: new Set(options.only ?? []),
  };

  const jobs = planJobs(
    specs.map((spec) => {
      const validator = validatorOf(spec);
      // A spec no hand-written contract knows still gets the generic stateful properties of its collections.
      const contract = contractForSpec(contractFor(contracts, spec), spec, options.generic !== false);
      const sessions = new Map<Phase, ReturnType<typeof createSession>>();
      return {
        spec,
        validator,
        contract,
        selection,
        state,
        policy,
        credentialsGiven: options.apiKey !== undefined,
        runs: Math.max(1, options.runs ?? DEFAULT_RUNS),
        coverageBudget: Math.max(0, options.coverageBudget ?? DEFAULT_COVERAGE_BUDGET),
        session: (phase: Phase) => {
          let session = sessions.get(phase);
          if (!session)
            sessions.set(
              phase,
              (session = createSession({
                spec,
                phase,
                client,
                credentials,
                validator,
                contract,
                fixtures: options.fixtures ?? {},
                state,
                maxResponseTimeMs: options.maxResponseTimeMs,
              })),
            );
          return session;
        },
      };
    }),
  );
  if (jobs.length === 0) {
    await client.close();
    throw new EmptySelectionError(
      `nothing to run: --only/--skip/--phases (${selection.phases.join(',')}) leave no operation, check or sequence selected`,
    );
  }

  const deadline = options.maxTimeMs === undefined ? Infinity : Date.now() + options.maxTimeMs;
  // Past the deadline, requests in flight are cut off rather than awaited: a stuck target cannot hold the run.
  const stopTimer = Number.isFinite(deadline)
    ? setTimeout(() => {
        state.interrupted = true;
        client.stop();
      }, deadline - Date.now())
    : undefined;
  let results: Awaited<ReturnType<typeof runJobs>>;
  try {
    await assertReachable(client, options.target);
    const progress = (label: string, done: number, total: number) =>
      options.onProgress?.({ done, total, requests: state.requests, failures: state.failures.length, current: label });
    results = await runJobs(jobs, {
      concurrency,
      deadline,
      stopReason: () =>
        state.interrupted || Date.now() >= deadline
          ? 'deadline'
          : state.stoppedAtFirstFailure
            ? 'fail-fast'
            : undefined,
      onStart: (job, done, total) => progress(`${job.spec.name} ${job.operation.id} ${job.name}`, done, total),
      onEnd: (job, done, total) => progress(`${job.spec.name} ${job.operation.id} ${job.name}`, done, total),
    });
    if (results.some((r) => !r.outcome.done && r.outcome.reason === 'deadline')) state.interrupted = true;
    if (state.created) state.cleanup = await state.created.deleteAll(client);
  } finally {
    clearTimeout(stopTimer);
    await client.close();
  }
  return collectReport({
    target: options.target,
    specs,
    phases: selection.phases,
    state,
    results,
    registry,
    startedAt,
  });
}

/** One probe before the run: a target that is down, silent or not speaking HTTP is a usage problem (exit 2). */
async function assertReachable(client: TargetClient, target: string): Promise<void> {
  const probe = await client.send({ method: 'GET', url: new URL('/', client.base).toString(), headers: {} });
  if ('transportError' in probe) throw new TargetUnreachableError(`cannot test ${target}: ${probe.transportError}`);
}

/** True when everything selected was tested and nothing failed or proved flaky: the exit status of a CI gate. */
export function conforms(report: Report): boolean {
  return verdictOf(report) === 'conforms';
}
