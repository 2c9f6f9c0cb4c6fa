/**
 * The human report: a table per operation (check × phase), the coverage phase's constraint table,
 * warnings, failures with their curl and response, flaky failures, what was left untested, and the
 * verdict line. Replay commands are spelled by the caller (the CLI knows its own flags).
 */
import { formatCoverage } from '../../coverage/format.js';
import { untestedOperations, verdictOf } from '../collect.js';
import {
  PHASES,
  type ConstraintCoverage,
  type ContractResponse,
  type Failure,
  type Phase,
  type Report,
  type Tally,
} from '../types.js';

export interface FormatOptions {
  /** The command line that replays a failure, e.g. "parley test --seed 1 --phases fuzz --only op --only check". */
  replayCommand?: (failure: Failure) => string;
}

const cell = (tally: Tally | undefined) => {
  if (!tally) return '-';
  if (tally.failed > 0) return `FAIL ${tally.failed}/${tally.passed + tally.failed}`;
  if (tally.passed === 0 && tally.warned > 0) return `warn ${tally.warned}`;
  return tally.warned > 0 ? `ok ${tally.passed} (warn ${tally.warned})` : `ok ${tally.passed}`;
};

export function table(rows: string[][]): string {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  return rows
    .map((row) =>
      row
        .map((text, column) => text.padEnd(widths[column]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function formatTable(report: Report): string {
  const operations = [...new Set(report.tallies.map((t) => `${t.spec}\u0000${t.operation}`))];
  const phases = PHASES.filter((phase) => report.tallies.some((t) => t.phase === phase));
  const lines: string[] = [];
  for (const key of operations) {
    const [spec, operation] = key.split('\u0000');
    const tallies = report.tallies.filter((t) => t.spec === spec && t.operation === operation);
    const rows = [['check', ...phases]];
    for (const check of [...new Set(tallies.map((t) => t.check))]) {
      rows.push([
        check,
        ...phases.map((phase: Phase) => cell(tallies.find((t) => t.check === check && t.phase === phase))),
      ]);
    }
    lines.push(`${spec} ${operation}`, indent(table(rows), '  '), '');
  }
  return lines.join('\n');
}

/** The coverage phase per operation: constraints probed on each side, probes sent, and what was left unprobed. */
export function formatConstraintTable(constraints: readonly ConstraintCoverage[]): string {
  if (constraints.length === 0) return '';
  const rows = [['operation', 'constraints', 'probed valid', 'probed invalid', 'probes sent', '']];
  const unprobed: string[] = [];
  for (const entry of constraints) {
    const probed = entry.constraints.filter((c) => c.valid + c.invalid > 0);
    rows.push([
      `${entry.spec} ${entry.operation}`,
      `${probed.length}/${entry.constraints.length}`,
      String(entry.constraints.filter((c) => c.valid > 0).length),
      String(entry.constraints.filter((c) => c.invalid > 0).length),
      `${entry.sent}/${entry.planned}`,
      entry.budgetCut ? 'cut by --coverage-budget' : '',
    ]);
    const missed = entry.constraints.filter((c) => c.valid + c.invalid === 0).map((c) => c.id);
    if (missed.length > 0) unprobed.push(`  ${entry.spec} ${entry.operation}: ${missed.join(', ')}`);
  }
  return [
    `Coverage phase: constraints probed (valid: within the constraint; invalid: past it)`,
    indent(table(rows), '  '),
    ...(unprobed.length > 0 ? ['Not probed (no value could be confirmed, or cut):', ...unprobed] : []),
  ].join('\n');
}

function indent(text: string, prefix: string): string {
  return text
    .split('\n')
    .map((line) => prefix + line)
    .join('\n');
}

function formatResponse(response: ContractResponse | undefined, transportError?: string): string {
  if (!response) return `no response: ${transportError ?? 'unknown error'}`;
  const type = response.headers['content-type'] ?? '(no content-type)';
  const body =
    response.text.length > 600 ? `${response.text.slice(0, 600)}… (${response.text.length} bytes)` : response.text;
  return `${response.status} ${type}\n${body}`;
}

function heading(failure: Failure): string {
  if (failure.kind === 'precondition')
    return `${failure.spec} ${failure.operation} — precondition failed (${failure.blocked} could not be tested) [${failure.phase}]`;
  return `${failure.spec} ${failure.operation} — ${failure.check} [${failure.phase}${failure.constraint ? `: ${failure.constraint}` : ''}]`;
}

export function formatFailure(failure: Failure, index: number, options: FormatOptions = {}): string {
  return [
    `${index + 1}) ${heading(failure)}`,
    `   ${failure.message}`,
    `   expected: ${failure.expected}`,
    ...(failure.violation
      ? [`   violation: ${failure.violation.kind} at ${failure.violation.location} (${failure.violation.description})`]
      : []),
    ...(failure.curl
      ? [
          `   ${failure.shrinkingCut ? 'failing request (shrinking stopped by --max-time, may not be the smallest)' : failure.phase === 'fuzz' || failure.phase === 'stateful' ? 'smallest failing request' : 'failing request'}:`,
          `     ${failure.curl}`,
        ]
      : []),
    '   response:',
    indent(formatResponse(failure.response, failure.transportError), '     '),
    ...(options.replayCommand ? [`   replay: ${options.replayCommand(failure)}`] : []),
  ].join('\n');
}

export function formatReport(report: Report, options: FormatOptions = {}): string {
  const checks = report.tallies.reduce((sum, t) => sum + t.passed + t.failed + t.warned, 0);
  const seconds = (report.durationMs / 1000).toFixed(1);
  const parts = [formatTable(report)];
  const coverage = formatConstraintTable(report.constraints);
  if (coverage) parts.push(coverage);
  if (report.warnings.length > 0) {
    parts.push(
      `Warnings (${report.warnings.length}): undocumented but reasonable answers\n` +
        report.warnings
          .map(
            (w) =>
              `  - ${w.spec} ${w.operation} ${w.check} [${w.phase}]: ${w.message}${w.curl ? `\n      ${w.curl}` : ''}`,
          )
          .join('\n'),
    );
  }
  if (report.failures.length > 0)
    parts.push(
      `Failures (${report.failures.length}):\n\n` +
        report.failures.map((f, i) => formatFailure(f, i, options)).join('\n\n'),
    );
  if (report.flaky.length > 0) {
    parts.push(
      `Flaky (${report.flaky.length}): failed once, then passed when the same request was sent again\n\n` +
        report.flaky
          .map(
            ({ failure, retry }, i) =>
              `${formatFailure(failure, i, options)}\n   sent again: ${retry.status ?? retry.transportError ?? 'passed'}`,
          )
          .join('\n\n'),
    );
  }
  const untested = untestedOperations(report);
  if (report.untested.length > 0) {
    parts.push(
      `Not tested to the end (${report.untested.length} phase(s) of ${new Set(report.untested.map((u) => `${u.spec} ${u.operation}`)).size} operation(s)):\n` +
        report.untested
          .map((u) => `  - ${u.spec} ${u.operation} ${u.job}: ${describeCut(u.reason, u.started)}`)
          .join('\n'),
    );
  }
  if (report.coverage.operations.length > 0) parts.push(formatCoverage(report.coverage).trimEnd());
  if (report.cleanup) {
    const { deleted, alreadyGone, failed } = report.cleanup;
    parts.push(
      `Cleanup: ${deleted} deleted, ${alreadyGone} already gone, ${failed.length} not deleted${failed.map((f) => `\n  - ${f.url}: ${f.outcome}`).join('')}`,
    );
  }
  const verdict = verdictOf(report);
  const problems = [
    ...(report.failures.length > 0 ? [`${report.failures.length} contract failure(s)`] : []),
    ...(report.flaky.length > 0 ? [`${report.flaky.length} flaky`] : []),
  ];
  const verdictText =
    verdict === 'conforms'
      ? 'the target conforms'
      : verdict === 'fails'
        ? problems.join(', ')
        : [
            `incomplete: ${untested.length} ${untested.length === 1 ? 'operation' : 'operations'} untested`,
            ...problems,
          ].join('; ');
  parts.push(
    `${report.requests} requests, ${checks} checks in ${seconds}s (phases ${report.phases.join(',')}) against ${report.target} (seed ${report.seed})${report.interrupted ? ', stopped early by --max-time' : ''}${report.stoppedAtFirstFailure ? ', stopped at the first failure (--fail-fast)' : ''}: ${verdictText}`,
  );
  return `${parts.join('\n\n')}\n`;
}

function describeCut(reason: string, started: boolean): string {
  const what = started ? 'cut short' : 'not run';
  switch (reason) {
    case 'deadline':
      return `${what} by --max-time`;
    case 'time-share':
      return `${what}: its share of --max-time ran out`;
    case 'fail-fast':
      return `${what}: --fail-fast stopped the run`;
    default:
      return `${what}: a request it depends on failed (see the precondition failure)`;
  }
}
