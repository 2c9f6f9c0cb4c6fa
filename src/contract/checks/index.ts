/** Every stateless check, in report order. Each can be selected with --only / --skip by name. */
import type { Check, CheckContext, Exchange, Verdict } from '../types.js';
import { ignoredAuth, invalidRequestRejected, missingCredentialsRejected, validRequestAccepted } from './acceptance.js';
import { contentTypeConformance, errorSchemaConformance, responseSchemaConformance, statusCodeConformance } from './conformance.js';
import { maxResponseTime, responseHeadersConformance, unsupportedMethod } from './operational.js';
import { notAServerError, responseReceived } from './transport.js';

export const CHECKS: readonly Check[] = [
  responseReceived,
  notAServerError,
  statusCodeConformance,
  contentTypeConformance,
  responseSchemaConformance,
  errorSchemaConformance,
  validRequestAccepted,
  invalidRequestRejected,
  missingCredentialsRejected,
  ignoredAuth,
  responseHeadersConformance,
  unsupportedMethod,
  maxResponseTime,
];

export interface JudgeOptions extends CheckContext {
  /** --strict: every warning is a failure. */
  strict?: boolean;
  /** Whether the check was named with --only (opt-in checks fail only then). */
  namedInOnly: boolean;
}

/** A check's verdict under the run's policy: opt-in checks warn unless named, --strict makes warnings failures. */
export function judge(check: Check, exchange: Exchange, options: JudgeOptions): Verdict {
  let verdict = check.run(exchange, options);
  if (verdict.outcome === 'fail' && check.optIn && !options.namedInOnly) verdict = { outcome: 'warn', message: `${verdict.message} (expected ${verdict.expected})` };
  if (verdict.outcome === 'warn' && options.strict) verdict = { outcome: 'fail', message: verdict.message, expected: 'no warning (--strict)' };
  return verdict;
}
