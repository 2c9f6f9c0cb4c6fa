/** The human report: a table per operation × check, then every failure with its curl, response and replay. */
import { formatCoverage } from '../../coverage/format.js';
import type { ContractResponse, Failure, Report, Tally } from '../types.js';

const cell = (tally: Tally | undefined) => {
  if (!tally) return '-';
  if (tally.failed > 0) return `FAIL ${tally.failed}/${tally.passed + tally.failed}`;
  if (tally.passed === 0 && tally.warned > 0) return `warn ${tally.warned}`;
  return tally.warned > 0 ? `ok ${tally.passed} (warn ${tally.warned})` : `ok ${tally.passed}`;
};

function table(rows: string[][]): string {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  return rows.map((row) => row.map((text, column) => text.padEnd(widths[column])).join('  ').trimEnd()).join('\n');
}

export function formatTable(report: Report): string {
  const operations = [...new Set(report.tallies.map((t) => `${t.spec}\u0000${t.operation}`))];
  const lines: string[] = [];
  for (const key of operations) {
    const [spec, operation] = key.split('\u0000');
    const rows = [['check', 'result']];
    for (const tally of report.tallies.filter((t) => t.spec === spec && t.operation === operation)) rows.push([tally.check, cell(tally)]);
    lines.push(`${spec} ${operation}`, indent(table(rows), '  '), '');
  }
  return lines.join('\n');
}

function indent(text: string, prefix: string): string {
  return text.split('\n').map((line) => prefix + line).join('\n');
}

function formatResponse(response: ContractResponse | undefined, transportError?: string): string {
  if (!response) return `no response: ${transportError ?? 'unknown error'}`;
  const type = response.headers['content-type'] ?? '(no content-type)';
  const body = response.text.length > 600 ? `${response.text.slice(0, 600)}… (${response.text.length} bytes)` : response.text;
  return `${response.status} ${type}\n${body}`;
}

export function formatFailure(failure: Failure, index: number): string {
  return [
    `${index + 1}) ${failure.spec} ${failure.operation} — ${failure.check}`,
    `   ${failure.message}`,
    `   expected: ${failure.expected}`,
    ...(failure.violation ? [`   violation: ${failure.violation.kind} at ${failure.violation.location} (${failure.violation.description})`] : []),
    ...(failure.curl ? [`   ${failure.shrinkingCut ? 'failing request (shrinking stopped by --max-time, may not be the smallest)' : 'smallest failing request'}:`, `     ${failure.curl}`] : []),
    '   response:',
    indent(formatResponse(failure.response, failure.transportError), '     '),
    `   replay: parley test ${failure.replay}`,
  ].join('\n');
}

export function formatReport(report: Report): string {
  const checks = report.tallies.reduce((sum, t) => sum + t.passed + t.failed + t.warned, 0);
  const seconds = (report.durationMs / 1000).toFixed(1);
  const parts = [formatTable(report)];
  if (report.warnings.length > 0) {
    parts.push(`Warnings (${report.warnings.length}): undocumented but reasonable answers\n` + report.warnings.map((w) => `  - ${w.spec} ${w.operation} ${w.check}: ${w.message}\n      ${w.curl}`).join('\n'));
  }
  if (report.failures.length > 0) parts.push(`Failures (${report.failures.length}):\n\n` + report.failures.map(formatFailure).join('\n\n'));
  if (report.coverage.operations.length > 0) parts.push(formatCoverage(report.coverage).trimEnd());
  if (report.cleanup) {
    const { deleted, alreadyGone, failed } = report.cleanup;
    parts.push(`Cleanup: ${deleted} deleted, ${alreadyGone} already gone, ${failed.length} not deleted${failed.map((f) => `\n  - ${f.url}: ${f.outcome}`).join('')}`);
  }
  const verdict = report.failures.length === 0 ? 'the target conforms' : `${report.failures.length} contract failure(s)`;
  parts.push(
    `${report.requests} requests, ${checks} checks in ${seconds}s against ${report.target} (seed ${report.seed})${report.interrupted ? ', stopped early by --max-time' : ''}: ${verdict}`,
  );
  return parts.join('\n\n') + '\n';
}
