/** What the proxy keeps of one request and its answer: redacted, bodies cut at the capture limit. */

export interface ObservedMessage {
  headers: Record<string, string>;
  /** The body as text, up to the capture limit. */
  body: string;
  /** Every byte of the body, kept or not. */
  bodyBytes: number;
  /** True when the body was longer than the capture limit (it was still forwarded whole). */
  truncated: boolean;
}

export interface ObservedRequest extends ObservedMessage {
  method: string;
  /** Path and query, as sent (secret query parameters redacted). */
  url: string;
}

export interface ObservedResponse extends ObservedMessage {
  status: number;
}

export type Side = 'request' | 'response';

export interface Problem {
  side: Side;
  /** The check that found it, e.g. "request_schema" or "status_code_conformance". */
  check: string;
  message: string;
}

export interface ObservedExchange {
  id: number;
  at: string;
  /** "spec operationId", or undefined for a path no spec documents. */
  operation: string | undefined;
  request: ObservedRequest;
  /** Undefined when the upstream gave no answer (the client got a 502). */
  response: ObservedResponse | undefined;
  durationMs: number;
  violations: Problem[];
  warnings: Problem[];
  /** Who answered: the upstream, or the mock for an operation the upstream lacks (--fallback mock). */
  answeredBy: 'upstream' | 'mock';
}
