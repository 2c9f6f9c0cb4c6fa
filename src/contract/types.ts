/** The contract suite's vocabulary: requests it sends, responses it sees, and what checks say of them. */
import type { Operation, Spec } from '../openapi/types.js';
import type { SpecValidator } from '../openapi/validator.js';
import type { CleanupReport } from './cleanup.js';
import type { CoverageSummary } from '../coverage/model.js';

/** A request before it is put on the wire. */
export interface ContractRequest {
  operation: Operation;
  pathParams: Record<string, unknown>;
  query: Record<string, unknown>;
  headers: Record<string, string>;
  /** The JSON body; undefined sends none. */
  body?: unknown;
  /** Sent verbatim instead of `body` (malformed JSON). */
  rawBody?: string;
  contentType?: string;
  /** Leave out the credentials the run was given. */
  withoutCredentials?: boolean;
  /** Sent with this method instead of the operation's (an undocumented one, for unsupported_method). */
  method?: string;
  /** Send it with the run's second credential (another tenant) or a key no server should accept; default the first. */
  credential?: 'secondary' | 'wrong';
  /** An API contract's prepare hook made it (e.g. real ids in the path), not generation alone. */
  prepared?: boolean;
  /** For invalid requests: the one thing made wrong on purpose. */
  violation?: Violation;
}

export type ViolationKind =
  | 'missing_required_field'
  | 'wrong_type'
  | 'out_of_range_number'
  | 'string_too_short'
  | 'string_too_long'
  | 'bad_format'
  | 'outside_enum'
  | 'bad_path_parameter'
  | 'malformed_json'
  | 'wrong_content_type'
  | 'missing_body'
  /** A property where additionalProperties is false (coverage phase only). */
  | 'additional_property'
  /** A string that does not match its `pattern` (coverage phase only). */
  | 'pattern_mismatch'
  /** An array with fewer or more items than allowed, or a repeated one where they must be unique (coverage phase only). */
  | 'array_size'
  | 'duplicate_items';

export interface Violation {
  kind: ViolationKind;
  /** Where, e.g. "body.recall_options.limit" or "path.session_id". */
  location: string;
  description: string;
}

/** Exactly what went over the wire, for reports and curl. */
export interface WireRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

export interface ContractResponse {
  status: number;
  headers: Record<string, string>;
  text: string;
  /** The parsed JSON body, or undefined when it is empty or not JSON. */
  json: unknown;
  /** Why `json` is undefined for a body that is not empty (not JSON, nested too deep). */
  jsonError?: string;
  durationMs: number;
}

/** What a request was meant to test, which decides the checks that apply. */
export type RequestKind = 'valid' | 'invalid' | 'no-credentials' | 'wrong-credentials' | 'unsupported-method';

/**
 * The phases of a run, in the order they run: documented examples, the enumerated constraint
 * probes, fast-check generation, then the contracts' stateful sequences.
 */
export type Phase = 'examples' | 'coverage' | 'fuzz' | 'stateful';
export const PHASES: readonly Phase[] = ['examples', 'coverage', 'fuzz', 'stateful'];

export interface Exchange {
  kind: RequestKind;
  request: ContractRequest;
  wire: WireRequest;
  /** Undefined when no well-formed HTTP response arrived (timeout, reset, garbage). */
  response: ContractResponse | undefined;
  transportError?: string;
  validator: SpecValidator;
}

export type Verdict =
  | { outcome: 'pass' }
  | { outcome: 'skip' }
  | { outcome: 'warn'; message: string }
  | { outcome: 'fail'; message: string; expected: string };

/** What a run asks of its checks beyond the spec. */
export interface CheckContext {
  /** --max-response-time: slower answers fail. */
  maxResponseTimeMs?: number;
}

export interface Check {
  name: string;
  description: string;
  /** Request kinds it judges; other exchanges are skipped. */
  kinds: readonly RequestKind[];
  /** Its failures count only when it is named with --only; otherwise they are warnings. */
  optIn?: boolean;
  run(exchange: Exchange, context?: CheckContext): Verdict;
}

/**
 * Why a failure was recorded: a check or a sequence judged an answer wrong; a request another one
 * depends on (a contract's setup step) did not succeed; or the harness itself could not go on.
 */
export type FailureKind = 'check' | 'sequence' | 'precondition' | 'harness';

/** The structured fields a replay command is built from (the CLI spells them as flags). */
export interface Replay {
  seed: number;
  phase: Phase;
  /** Operation id, then check or sequence name: what --only needs to select just this. */
  only: string[];
}

export interface Failure {
  kind: FailureKind;
  phase: Phase;
  spec: string;
  /** The operation the failing request went to (for a precondition, the one that could not do it). */
  operation: string;
  check: string;
  message: string;
  expected: string;
  /** The smallest failing request fast-check found. */
  wire: WireRequest;
  curl: string;
  response: ContractResponse | undefined;
  transportError?: string;
  violation?: Violation;
  seed: number;
  /** fast-check's counterexample path, for an exact replay. */
  path?: string;
  /** True when --max-time stopped shrinking: the request shown may not be the smallest. */
  shrinkingCut?: boolean;
  /** For a precondition: the operation whose test could not go on because of it. */
  blocked?: string;
  /** For the coverage phase: the constraint the request probed, e.g. "body.limit maximum". */
  constraint?: string;
  replay: Replay;
}

/** A failure that did not happen again when its request was sent once more. */
export interface Flaky {
  failure: Failure;
  /** What the second attempt got. */
  retry: { status: number | undefined; transportError?: string };
}

export interface Warning {
  phase: Phase;
  spec: string;
  operation: string;
  check: string;
  message: string;
  curl: string;
}

/** Counts per operation × check × phase. */
export interface Tally {
  spec: string;
  operation: string;
  check: string;
  phase: Phase;
  passed: number;
  failed: number;
  warned: number;
}

/** One constraint of an operation's parameters or body, and how often the coverage phase probed each side of it. */
export interface ConstraintProbes {
  /** e.g. "body.recall_options.limit maximum", "query.limit type", "body.mode enum". */
  id: string;
  /** Probes sent that stayed within the constraint (at a bound, each branch, each enum value). */
  valid: number;
  /** Probes sent that broke it (past a bound, a near-miss, left out). */
  invalid: number;
  /** Probes enumerated but not sent (cut by --coverage-budget, or out of time). */
  unsent: number;
}

export interface ConstraintCoverage {
  spec: string;
  operation: string;
  constraints: ConstraintProbes[];
  /** Candidate probes enumerated, and sent (fewer when --coverage-budget cut them). */
  planned: number;
  sent: number;
  /** True when --coverage-budget left probes unsent. */
  budgetCut: boolean;
}

/** A phase of an operation that did not run to its end, and why. */
export interface Untested {
  spec: string;
  operation: string;
  phase: Phase;
  /** e.g. "fuzz (invalid: wrong_type)" or a sequence name. */
  job: string;
  reason: 'deadline' | 'time-share' | 'fail-fast' | 'precondition';
  /** False when it never sent a request; true when cut part-way. */
  started: boolean;
}

/** Response times of one operation over the run. */
export interface OperationTiming {
  spec: string;
  operation: string;
  requests: number;
  totalMs: number;
  maxMs: number;
}

export interface Report {
  target: string;
  seed: number;
  specs: Pick<Spec, 'name' | 'title' | 'file'>[];
  tallies: Tally[];
  failures: Failure[];
  warnings: Warning[];
  requests: number;
  durationMs: number;
  /** The phases the run was asked for, in run order. */
  phases: Phase[];
  /** True when --max-time cut the run short. */
  interrupted: boolean;
  /** What was selected but not (fully) tested: the run is incomplete when this is not empty. */
  untested: Untested[];
  /** Failures that did not happen again on a re-send. */
  flaky: Flaky[];
  /** True when --fail-fast stopped the run at its first failure. */
  stoppedAtFirstFailure: boolean;
  /** What the coverage phase probed, per operation. */
  constraints: ConstraintCoverage[];
  timings: OperationTiming[];
  /** What the run exercised of what the specs document, per operation. */
  coverage: CoverageSummary;
  /** With --cleanup: what was deleted of what the run created. */
  cleanup?: CleanupReport;
}
