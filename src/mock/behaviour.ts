/** What a hand-written operation behaviour receives and returns. */
import type { Operation } from '../openapi/types.js';
import type { ApiError } from './api-error.js';
import type { Fixtures } from './fixtures.js';
import type { IdSource } from './ids.js';
import type { ParsedParameters } from './request-validation.js';
import type { TenantState } from './store.js';

export interface RequestContext {
  operation: Operation;
  params: ParsedParameters;
  /** The parsed, validated JSON body (undefined when there is none). */
  body: any;
  /** The caller's credential, or "anonymous" for operations without security. */
  tenant: string;
  state: TenantState;
  /** One reading of the mock's clock for the whole request. */
  now: Date;
  /** `now` as an ISO 8601 string, the form every API here stores and answers. */
  timestamp: string;
  ids: IdSource;
  fixtures: Fixtures;
  /** A static or generated answer from the spec for a status (used by behaviours with no fixed body). */
  specResponse(status: number): unknown;
  /** `body` with every top-level field the answer schema for `status` refuses replaced by a schema-built value (or left out). */
  fitAnswer(status: number, body: unknown): unknown;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type Outcome = Reply | { error: ApiError };

export type Behaviour = (context: RequestContext) => Outcome;

export function isErrorOutcome(outcome: Outcome): outcome is { error: ApiError } {
  return 'error' in outcome;
}
