/** The contract suite's vocabulary: requests it sends, responses it sees, and what checks say of them. */
import type { Operation, Spec } from '../spec/types.js';
import type { SpecValidator } from '../spec/validator.js';
import type { CleanupReport } from './cleanup.js';

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
  | 'missing_body';

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
  durationMs: number;
}

/** What a request was meant to test, which decides the checks that apply. */
export type RequestKind = 'valid' | 'invalid' | 'no-credentials' | 'wrong-credentials' | 'unsupported-method';

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

export interface Failure {
  spec: string;
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
  replay: string;
}

export interface Warning {
  spec: string;
  operation: string;
  check: string;
  message: string;
  curl: string;
}

/** Counts per operation × check. */
export interface Tally {
  spec: string;
  operation: string;
  check: string;
  passed: number;
  failed: number;
  warned: number;
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
  /** True when --max-time cut the run short. */
  interrupted: boolean;
  timings: OperationTiming[];
  /** With --cleanup: what was deleted of what the run created. */
  cleanup?: CleanupReport;
}
