/**
 * Runs the contract suite against a target: for every operation, fast-check properties over valid
 * requests, over requests with one known violation each, and without credentials; then the stateful
 * sequences of the API's contract. Failures are shrunk to the smallest request that still fails.
 */
import fc from 'fast-check';
import { loadSpecs } from '../spec/load.js';
import type { HttpMethod, Operation, Spec } from '../spec/types.js';
import { SpecValidator } from '../spec/validator.js';
import { operationKey, type ApiContract, type ContractSession, type Sequence } from './api-contract.js';
import { CHECKS, judge } from './checks/index.js';
import { GENERIC_SEQUENCE_NAMES, genericContract } from './generic-contract.js';
import { responseReceived } from './checks/transport.js';
import { TargetClient, toCurl, toWire, type Credentials } from './http.js';
import { validRequestArbitrary } from './requests.js';
import type { Check, ContractRequest, Exchange, Failure, OperationTiming, Report, RequestKind, Tally, Verdict, ViolationKind, Warning } from './types.js';
import { CreatedResources, type CleanupReport } from './cleanup.js';
import { applicableKinds, VIOLATION_KINDS, violationsOf } from './violations.js';

export interface ContractOptions extends Credentials {
  /** A second API key, another tenant: enables the tenant-isolation sequences. */
  secondApiKey?: string;
  /** Base URL of the server under test. */
  target: string;
  specFiles?: string[];
  specs?: Spec[];
  /** API contracts with preparation and sequences (default: none; the CLI passes the bundled ones). */
  contracts?: ApiContract[];
  seed?: number;
  /** Valid requests per operation; invalid and other phases scale from it. */
  runs?: number;
  /** Overall deadline for the run. */
  maxTimeMs?: number;
  requestTimeoutMs?: number;
  /** Properties running at once (each sends one request at a time). */
  concurrency?: number;
  /** Operation ids, "METHOD /path" keys or check names to include / exclude. */
  only?: string[];
  skip?: string[];
  fixtures?: Record<string, string>;
  onProgress?: (progress: Progress) => void;
  /** Cap on requests per second (a shared sandbox). */
  ratePerSecond?: number;
  /** Delete what the run created, where the spec documents a DELETE. */
  cleanup?: boolean;
  /** Answers slower than this fail max_response_time (without it, slow answers are warnings). */
  maxResponseTimeMs?: number;
  /** Every warning is a failure: for gates that want the letter of the spec. */
  strict?: boolean;
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

/** An --only/--skip name that matches no operation, check or sequence. */
export class UnknownSelectionError extends Error {
  override name = 'UnknownSelectionError';
}

export const DEFAULT_RUNS = 50;
/** Sent where a key is expected, for ignored_auth: no server should know it. */
export const WRONG_API_KEY = 'parley-invalid-key-0000';
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

interface Job {
  spec: Spec;
  label: string;
  run(): Promise<void>;
}

/** Runs the suite and returns its report; throws TargetUnreachableError when the target cannot be reached. */
export async function runContract(options: ContractOptions): Promise<Report> {
  const started = performance.now();
  const specs = options.specs ?? (await loadSpecs(options.specFiles ?? []));
  assertKnownNames(options, specs);
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
  const runs = Math.max(1, options.runs ?? DEFAULT_RUNS);
  const timeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const client = new TargetClient(options.target, timeoutMs, concurrency * 2, { ratePerSecond: options.ratePerSecond });
  const deadline = options.maxTimeMs === undefined ? Infinity : Date.now() + options.maxTimeMs;
  const state = new RunState(options, seed, options.cleanup ? new CreatedResources(specs) : undefined);
  // Past the deadline, requests in flight are cut off rather than awaited: a stuck target cannot hold the run.
  const stopTimer = Number.isFinite(deadline)
    ? setTimeout(() => {
        state.interrupted = true;
        client.stop();
      }, deadline - Date.now())
    : undefined;
  try {
    await assertReachable(client, options.target);
    const jobs = specs.flatMap((spec) => jobsFor(spec, options, state, client, runs, deadline));
    let done = 0;
    const queue = [...jobs];
    const worker = async () => {
      for (let job = queue.shift(); job; job = queue.shift()) {
        if (Date.now() >= deadline) {
          state.interrupted = true;
          continue;
        }
        options.onProgress?.({ done, total: jobs.length, requests: state.requests, failures: state.failures.length, current: job.label });
        await job.run();
        done++;
        options.onProgress?.({ done, total: jobs.length, requests: state.requests, failures: state.failures.length, current: job.label });
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, jobs.length) }, worker));
    if (state.created) state.cleanup = await state.created.deleteAll(client);
  } finally {
    clearTimeout(stopTimer);
    await client.close();
  }
  return {
    target: options.target,
    seed,
    specs: specs.map(({ name, title, file }) => ({ name, title, file })),
    tallies: [...state.tallies.values()],
    failures: inRunOrder(state.failures, specs),
    warnings: state.warnings,
    requests: state.requests,
    durationMs: Math.round(performance.now() - started),
    interrupted: state.interrupted,
    timings: [...state.timings.values()],
    ...(state.cleanup ? { cleanup: state.cleanup } : {}),
  };
}

/** One probe before the run: a target that is down, silent or not speaking HTTP is a usage problem (exit 2). */
async function assertReachable(client: TargetClient, target: string): Promise<void> {
  const probe = await client.send({ method: 'GET', url: new URL('/', client.base).toString(), headers: {} });
  if ('transportError' in probe) throw new TargetUnreachableError(`cannot test ${target}: ${probe.transportError}`);
}

/** A misspelt --only would otherwise select nothing, and an empty run "conforms". */
function assertKnownNames(options: ContractOptions, specs: Spec[]): void {
  const operations = specs.flatMap((spec) => spec.operations.flatMap((op) => [op.id, operationKey(op)]));
  const sequences = (options.contracts ?? []).flatMap((contract) => contract.sequences.map((sequence) => sequence.name));
  const known = new Set([...CHECKS.map((check) => check.name), ...sequences, ...GENERIC_SEQUENCE_NAMES, ...operations]);
  const unknown = [...(options.only ?? []), ...(options.skip ?? [])].filter((name) => !known.has(name));
  if (unknown.length === 0) return;
  throw new UnknownSelectionError(
    `--only/--skip ${unknown.map((name) => `"${name}"`).join(', ')}: no such operation, check or sequence (operations: ${specs.flatMap((spec) => spec.operations.map((op) => op.id)).join(', ')}; checks: see --help)`,
  );
}

/**
 * Failures in the order the jobs are listed (spec, operation, check, violation kind, then request), not the order
 * concurrent jobs happened to finish: the same seed gives the same report.
 */
function inRunOrder(failures: Failure[], specs: Spec[]): Failure[] {
  const rank = (f: Failure): number[] => {
    const spec = specs.findIndex((s) => s.name === f.spec);
    const check = CHECKS.findIndex((c) => c.name === f.check);
    return [
      spec,
      specs[spec]?.operations.findIndex((op) => op.id === f.operation) ?? -1,
      check === -1 ? CHECKS.length : check,
      f.violation ? VIOLATION_KINDS.indexOf(f.violation.kind) + 1 : 0,
    ];
  };
  return failures
    .map((failure) => ({ failure, rank: rank(failure) }))
    .sort((a, b) => compareRanks(a.rank, b.rank) || a.failure.check.localeCompare(b.failure.check) || a.failure.curl.localeCompare(b.failure.curl))
    .map(({ failure }) => failure);
}

function compareRanks(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

/** Counters, failures and warnings of one run. */
class RunState {
  readonly tallies = new Map<string, Tally>();
  readonly failures: Failure[] = [];
  readonly warnings: Warning[] = [];
  private readonly warned = new Set<string>();
  readonly timings = new Map<string, OperationTiming>();
  cleanup: CleanupReport | undefined;
  requests = 0;
  interrupted = false;

  constructor(readonly options: ContractOptions, readonly seed: number, readonly created: CreatedResources | undefined) {}

  /** Every exchange passes here: timings per operation, and what --cleanup will delete. */
  observe(spec: Spec, exchange: Exchange): void {
    this.requests++;
    this.created?.observe(exchange);
    if (!exchange.response) return;
    const key = `${spec.name}\u0000${exchange.request.operation.id}`;
    let timing = this.timings.get(key);
    if (!timing) this.timings.set(key, (timing = { spec: spec.name, operation: exchange.request.operation.id, requests: 0, totalMs: 0, maxMs: 0 }));
    timing.requests++;
    timing.totalMs += exchange.response.durationMs;
    timing.maxMs = Math.max(timing.maxMs, exchange.response.durationMs);
  }

  selected(name: string, operation?: Operation): boolean {
    const names = [name, ...(operation ? [operation.id, operationKey(operation)] : [])];
    const { only, skip } = this.options;
    if (skip?.some((s) => names.includes(s))) return false;
    if (!only || only.length === 0) return true;
    const checkNamed = only.some((s) => isCheckName(s));
    const operationNamed = only.some((s) => !isCheckName(s));
    const checkOk = !checkNamed || only.includes(name);
    const operationOk = !operationNamed || !operation || only.includes(operation.id) || only.includes(operationKey(operation));
    return checkOk && operationOk;
  }

  tally(spec: Spec, operation: string, check: string, verdict: Verdict): void {
    const key = `${spec.name}\u0000${operation}\u0000${check}`;
    let tally = this.tallies.get(key);
    if (!tally) this.tallies.set(key, (tally = { spec: spec.name, operation, check, passed: 0, failed: 0, warned: 0 }));
    if (verdict.outcome === 'pass') tally.passed++;
    else if (verdict.outcome === 'fail') tally.failed++;
    else if (verdict.outcome === 'warn') tally.warned++;
  }

  warn(spec: Spec, operation: string, check: string, message: string, exchange: Exchange): void {
    const key = `${spec.name}|${operation}|${check}|${message.replace(/\d+/g, '#').slice(0, 60)}`;
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.warnings.push({ spec: spec.name, operation, check, message, curl: toCurl(exchange.wire) });
  }
}

function isCheckName(name: string): boolean {
  return CHECKS.some((check) => check.name === name) || /^[a-z]+\.[a-z_]+$/.test(name);
}

function jobsFor(spec: Spec, options: ContractOptions, state: RunState, client: TargetClient, runs: number, deadline: number): Job[] {
  const validator = new SpecValidator(spec);
  // A spec no hand-written contract knows still gets the generic stateful properties of its collections.
  const contract = (options.contracts ?? []).find((c) => contractFits(c, spec)) ?? genericContract(spec);
  const session = createSession(spec, options, state, client, validator, contract);
  const jobs: Job[] = [];
  for (const operation of spec.operations) {
    if (!CHECKS.some((check) => state.selected(check.name, operation))) continue;
    const label = `${spec.name} ${operationKey(operation)}`;
    const phase = (kind: RequestKind, numRuns: number, violation?: ViolationKind): Job => ({
      spec,
      label: `${label} (${violation ?? kind})`,
      run: () => runPhase({ spec, operation, kind, violation, numRuns, session, validator, state, deadline }),
    });
    jobs.push(phase('valid', runs));
    for (const kind of applicableKinds(operation)) jobs.push(phase('invalid', Math.max(3, Math.ceil(runs / 5)), kind));
    if (operation.security.length > 0) jobs.push(phase('no-credentials', Math.max(2, Math.ceil(runs / 10))));
    if (operation.security.length > 0) jobs.push(phase('wrong-credentials', Math.max(2, Math.ceil(runs / 10))));
    // One probe per path with a method it does not document, sent from the path's first operation.
    if (undocumentedMethod(spec, operation) && spec.operations.find((op) => op.path === operation.path) === operation) jobs.push(phase('unsupported-method', 1));
  }
  for (const sequence of contract?.sequences ?? []) {
    if (!sequence.operations.every((key) => spec.operations.some((op) => operationKey(op) === key))) continue;
    if (!state.selected(sequence.name, session.operation(sequence.operations[0]))) continue;
    if (sequence.needsSecondCredential && !session.hasSecondCredential) {
      state.warnings.push({ spec: spec.name, operation: session.operation(sequence.operations[0]).id, check: sequence.name, message: 'not run: it needs a second credential (--api-key twice, or --second-api-key)', curl: '' });
      continue;
    }
    jobs.push({ spec, label: `${spec.name} ${sequence.name}`, run: () => runSequence(spec, sequence, session, state, Math.max(3, Math.ceil(runs / 5)), deadline) });
  }
  return jobs;
}

/** A method the operation's path does not document (PATCH first: least likely to change anything if wrongly served). */
function undocumentedMethod(spec: Spec, operation: Operation): HttpMethod | undefined {
  const documented = new Set(spec.operations.filter((op) => op.path === operation.path).map((op) => op.method));
  return (['patch', 'put', 'post', 'get', 'delete'] as const).find((method) => !documented.has(method));
}

function contractFits(contract: ApiContract, spec: Spec): boolean {
  const keys = new Set(spec.operations.map(operationKey));
  return [...Object.keys(contract.prepare ?? {}), ...contract.sequences.flatMap((s) => s.operations)].some((key) => keys.has(key));
}

function createSession(spec: Spec, options: ContractOptions, state: RunState, client: TargetClient, validator: SpecValidator, contract: ApiContract | undefined): ContractSession {
  const credentials = {
    primary: { apiKey: options.apiKey, headers: options.headers },
    secondary: { apiKey: options.secondApiKey, headers: options.headers },
    wrong: { apiKey: WRONG_API_KEY, headers: options.headers },
  } satisfies Record<string, Credentials>;
  const session: ContractSession = {
    spec,
    hasSecondCredential: options.secondApiKey !== undefined && options.secondApiKey !== options.apiKey,
    fixtures: options.fixtures ?? {},
    operation(key) {
      const found = spec.operations.find((op) => operationKey(op) === key || op.id === key);
      if (!found) throw new Error(`${spec.name} has no operation ${key}`);
      return found;
    },
    async send(request, kind = 'valid') {
      const wire = toWire(request, client.base, credentials[request.credential ?? 'primary']);
      const sent = await client.send(wire);
      const exchange: Exchange = { kind, request, wire, validator, ...('response' in sent ? { response: sent.response } : { response: undefined, transportError: sent.transportError }) };
      state.observe(spec, exchange);
      return exchange;
    },
    async prepare(request) {
      const hook = contract?.prepare?.[operationKey(request.operation)];
      return hook ? { ...(await hook(request, session)), prepared: true } : request;
    },
  };
  return session;
}

interface PhaseInput {
  spec: Spec;
  operation: Operation;
  kind: RequestKind;
  violation?: ViolationKind;
  numRuns: number;
  session: ContractSession;
  validator: SpecValidator;
  state: RunState;
  deadline: number;
}

/**
 * The checks that judge this phase, after --only/--skip. A request that gets no response at all is
 * always reported (unless response_received is skipped by name): otherwise a target that died would
 * pass every check that needs a response.
 */
function checksFor(input: PhaseInput): Check[] {
  const selected = CHECKS.filter((check) => check.kinds.includes(input.kind) && input.state.selected(check.name, input.operation));
  const skippedByName = input.state.options.skip?.includes(responseReceived.name);
  return selected.length > 0 && !selected.includes(responseReceived) && !skippedByName ? [responseReceived, ...selected] : selected;
}

async function runPhase(input: PhaseInput): Promise<void> {
  const { spec, operation, kind, session, validator, state } = input;
  const remaining = checksFor(input);
  if (remaining.length === 0) return;
  const judgeOptions = { maxResponseTimeMs: state.options.maxResponseTimeMs, strict: state.options.strict };
  const arbitrary = fc.tuple(validRequestArbitrary(operation), fc.nat());
  const buildRequest = async ([generated, pick]: [ContractRequest, number]): Promise<ContractRequest | undefined> => {
    const prepared = await session.prepare(generated);
    if (kind === 'no-credentials') return { ...prepared, withoutCredentials: true };
    if (kind === 'wrong-credentials') return { ...prepared, credential: 'wrong' };
    if (kind === 'unsupported-method') return { ...prepared, method: undocumentedMethod(spec, operation), body: undefined };
    if (kind === 'valid') return prepared;
    const variants = violationsOf(prepared, input.violation!, validator);
    return variants.length === 0 ? undefined : variants[pick % variants.length];
  };
  // Each round finds (and shrinks) one failing check; it is then set aside so the next round can find another.
  while (remaining.length > 0) {
    const timeLeft = timeLeftBefore(input.deadline, state);
    if (timeLeft === undefined) return;
    let lastFailure: { exchange: Exchange; failed: [Check, Extract<Verdict, { outcome: 'fail' }>][] } | undefined;
    const property = fc.asyncProperty(arbitrary, async (generated) => {
      // No shrinking past a lost response: every attempt would wait out the request timeout again.
      if (lastFailure && !lastFailure.exchange.response) return true;
      const request = await buildRequest(generated);
      if (!request) return true;
      const exchange = await session.send(request, kind);
      if (state.interrupted) return true; // cut off by --max-time: not the target's fault
      const failed: [Check, Extract<Verdict, { outcome: 'fail' }>][] = [];
      for (const check of remaining) {
        const verdict = judge(check, exchange, { ...judgeOptions, namedInOnly: state.options.only?.includes(check.name) ?? false });
        state.tally(spec, operation.id, check.name, verdict);
        if (verdict.outcome === 'fail') failed.push([check, verdict]);
        else if (verdict.outcome === 'warn') state.warn(spec, operation.id, check.name, verdict.message, exchange);
      }
      if (failed.length > 0) lastFailure = { exchange, failed };
      return failed.length === 0;
    });
    const result = await checkWithin(property, input.numRuns, state, timeLeft);
    if (!result.failed || cutBeforeFirstRun(result)) return;
    if (!lastFailure) return recordHarnessError(state, spec, operation, result.errorInstance);
    const [check, verdict] = lastFailure.failed[0];
    recordFailure(state, spec, operation, check.name, verdict, lastFailure.exchange, result.counterexamplePath ?? undefined, result.interrupted);
    // A target that stopped answering leaves the other checks nothing to judge but more timeouts.
    if (!lastFailure.exchange.response) return;
    remaining.splice(remaining.indexOf(check), 1);
  }
}

function recordFailure(
  state: RunState,
  spec: Spec,
  operation: Operation,
  check: string,
  verdict: { message: string; expected: string },
  exchange: Exchange,
  path: string | undefined,
  shrinkingCut: boolean,
): void {
  state.failures.push({
    spec: spec.name,
    operation: operation.id,
    check,
    message: verdict.message,
    expected: verdict.expected,
    wire: exchange.wire,
    curl: toCurl(exchange.wire),
    response: exchange.response,
    transportError: exchange.transportError,
    violation: exchange.request.violation,
    seed: state.seed,
    path,
    shrinkingCut,
    replay: `--seed ${state.seed} --only ${operation.id} --only ${check}`,
  });
}

async function runSequence(spec: Spec, sequence: Sequence, session: ContractSession, state: RunState, numRuns: number, deadline: number): Promise<void> {
  const timeLeft = timeLeftBefore(deadline, state);
  if (timeLeft === undefined) return;
  const operation = session.operation(sequence.operations[0]);
  let lastFailure: { message: string; expected: string; exchange: Exchange } | undefined;
  const property = fc.asyncProperty(sequence.input(session), async (value) => {
    // No shrinking past a lost response: every attempt would wait out the request timeout again.
    if (lastFailure && !lastFailure.exchange.response) return true;
    const outcome = await sequence.run(session, value);
    if (state.interrupted) return true;
    state.tally(spec, operation.id, sequence.name, outcome.ok ? { outcome: 'pass' } : { outcome: 'fail', message: outcome.message, expected: outcome.expected });
    if (!outcome.ok) lastFailure = outcome;
    return outcome.ok;
  });
  const result = await checkWithin(property, numRuns, state, timeLeft);
  if (result.failed && lastFailure) {
    recordFailure(state, spec, operation, sequence.name, lastFailure, lastFailure.exchange, result.counterexamplePath ?? undefined, result.interrupted);
  } else if (result.failed && !cutBeforeFirstRun(result)) {
    recordHarnessError(state, spec, operation, result.errorInstance);
  }
}

/** Milliseconds left before the run's deadline (Infinity without one); undefined, and the run marked interrupted, once it has passed. */
function timeLeftBefore(deadline: number, state: RunState): number | undefined {
  const timeLeft = deadline - Date.now();
  if (timeLeft > 0) return timeLeft;
  state.interrupted = true;
  return undefined;
}

/** Runs a property with the run's seed, cut off at the deadline; an interruption is recorded on the run. */
async function checkWithin<T>(property: fc.IAsyncProperty<T>, numRuns: number, state: RunState, timeLeft: number): Promise<fc.RunDetails<T>> {
  const result = await fc.check(property, {
    numRuns,
    seed: state.seed,
    interruptAfterTimeLimit: Number.isFinite(timeLeft) ? timeLeft : undefined,
    markInterruptAsFailure: false,
  });
  if (result.interrupted) state.interrupted = true;
  return result;
}

/** fast-check counts a run the deadline cut off before any success as failed, with no counterexample: not the target's fault. */
function cutBeforeFirstRun(result: Pick<fc.RunDetails<unknown>, 'interrupted' | 'counterexample'>): boolean {
  return result.interrupted && result.counterexample === null;
}

/** A step that threw instead of judging (e.g. a setup call the target refused): reported, not hidden. */
function recordHarnessError(state: RunState, spec: Spec, operation: Operation, error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  state.failures.push({
    spec: spec.name,
    operation: operation.id,
    check: 'setup',
    message: `the run could not complete: ${message}`,
    expected: 'the setup requests of the contract to succeed',
    wire: { method: operation.method.toUpperCase(), url: operation.path, headers: {} },
    curl: '',
    response: undefined,
    seed: state.seed,
    replay: `--seed ${state.seed} --only ${operation.id}`,
  });
}

/** True when the report holds no failure: the exit status of a CI gate. */
export function conforms(report: Report): boolean {
  return report.failures.length === 0;
}
