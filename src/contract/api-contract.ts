/**
 * What an API's contract module (in contracts/) adds to the stateless checks: how to make generated
 * requests succeed (real ids, known fixtures, rules the schema states only in prose), and stateful
 * sequences that check behaviour across requests.
 */
import type fc from 'fast-check';
import type { Operation, Spec } from '../openapi/types.js';
import type { ContractRequest, ContractResponse, Exchange, RequestKind } from './types.js';

export interface ContractSession {
  spec: Spec;
  /** Named values from --fixture key=value (e.g. eliza.agentId). */
  fixtures: Readonly<Record<string, string>>;
  /** The operation at "METHOD /path" in this spec. */
  operation(key: string): Operation;
  /** Sends a request as is (credentials added unless `withoutCredentials`). */
  send(request: ContractRequest, kind?: RequestKind): Promise<Exchange>;
  /** Schema-valid requests for an operation ("METHOD /path" or operationId), as the fuzz phase generates them. */
  validRequest(key: string): fc.Arbitrary<ContractRequest>;
  /** A valid request for an operation, prepared by the contract like any generated one. */
  prepare(request: ContractRequest): Promise<ContractRequest>;
  /** True when the run has a second credential (`request.credential: 'secondary'` sends as another tenant). */
  hasSecondCredential: boolean;
}

export type SequenceOutcome = { ok: true } | { ok: false; message: string; expected: string; exchange: Exchange };

export interface Sequence<Input = unknown> {
  /** Check name in reports, e.g. "feather.get_or_create_returns_same". */
  name: string;
  description: string;
  /** "METHOD /path" keys it needs; it runs only where the spec has them all. */
  operations: string[];
  /** Runs only with a second credential (tenant isolation); otherwise it is reported as not run. */
  needsSecondCredential?: boolean;
  /** Generated input for each run (without it, each run gets undefined: a sequence of fixed requests). */
  input?(session: ContractSession): fc.Arbitrary<Input>;
  run(session: ContractSession, input: Input): Promise<SequenceOutcome>;
}

export interface ApiContract {
  name: string;
  /** Whether the contract belongs to this spec; without it, a contract applies where the spec has its operations. */
  matches?(spec: Spec): boolean;
  /** How to turn a schema-valid request into one the API can accept, per "METHOD /path". */
  prepare?: Record<
    string,
    (request: ContractRequest, session: ContractSession) => Promise<ContractRequest> | ContractRequest
  >;
  sequences: Sequence[];
  /**
   * Whether the generic `crud.*` sequences of the spec run beside this contract's own (default
   * true; a sequence of the contract's with the same name wins). The bundled contracts, written to
   * cover their APIs by hand, say false.
   */
  generic?: boolean;
}

export function operationKey(operation: Operation): string {
  return `${operation.method.toUpperCase()} ${operation.path}`;
}

/**
 * Thrown by a prepare hook (or a sequence's setup step) when a request the tested one depends on
 * did not succeed, e.g. creating the session a message goes to. The failure is reported against the
 * operation of that request, and the dependent request is not judged.
 */
export class PreconditionFailed extends Error {
  override name = 'PreconditionFailed';

  constructor(
    readonly exchange: Exchange,
    message: string,
    readonly expected: string,
  ) {
    super(message);
  }
}

/** Stops a prepare hook: the request it depends on (in `exchange`) did not give what was needed. */
export function precondition(exchange: Exchange, message: string, expected: string): never {
  throw new PreconditionFailed(exchange, message, expected);
}

/** A request to an operation with the parts not given left empty: for sequences and prepare hooks. */
export function request(
  operation: Operation,
  parts: Partial<Omit<ContractRequest, 'operation'>> = {},
): ContractRequest {
  return { operation, pathParams: {}, query: {}, headers: {}, ...parts };
}

/** A failed step's outcome, for sequences. */
export function fail(exchange: Exchange, message: string, expected: string): SequenceOutcome {
  return { ok: false, message, expected, exchange };
}

export function statusOf(exchange: Exchange): number | undefined {
  return exchange.response?.status;
}

export function jsonOf(exchange: Exchange): any {
  return (exchange.response as ContractResponse | undefined)?.json;
}
