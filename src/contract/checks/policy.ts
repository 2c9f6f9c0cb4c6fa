/** The run's policy over verdicts: opt-in checks warn unless named with --only; --strict makes every warning a failure. */
import type { Check, CheckContext, Exchange, Verdict } from '../types.js';

export interface CheckPolicy extends CheckContext {
  /** --strict: every warning is a failure. */
  strict?: boolean;
  /** Checks named with --only: opt-in checks fail only then. */
  named: ReadonlySet<string>;
}

/** A check's verdict under the run's policy: opt-in checks warn unless named, --strict makes warnings failures. */
export function verdictUnderPolicy(check: Check, exchange: Exchange, options: CheckPolicy): Verdict {
  let verdict = check.run(exchange, options);
  if (verdict.outcome === 'fail' && check.optIn && !options.named.has(check.name))
    verdict = { outcome: 'warn', message: `${verdict.message} (expected ${verdict.expected})` };
  if (verdict.outcome === 'warn' && options.strict)
    verdict = { outcome: 'fail', message: verdict.message, expected: 'no warning (--strict)' };
  return verdict;
}
