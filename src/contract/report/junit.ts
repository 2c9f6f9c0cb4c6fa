/**
 * JUnit XML for CI dashboards: a testsuite per spec, a testcase per operation × check (every phase
 * together), the coverage phase's constraint table as properties and system-out, and testcases for
 * flaky failures and for what was not tested to the end.
 */
import type { Failure, Report } from '../types.js';
import { escapeXml } from '../../report/escape.js';
import { formatConstraintTable, formatFailure, type FormatOptions } from './console.js';

/** A testcase is an operation × check; it may hold several failures, one per phase that found one (valid, each violation kind...). */
const caseKey = (f: { spec: string; operation: string; check: string }) =>
  `${f.spec}\u0000${f.operation}\u0000${f.check}`;

/** One <failure> holding every failure of a testcase, so the counts match the testcases that fail. */
function failureElement(failures: Failure[], options: FormatOptions, tag = 'failure'): string {
  const more = failures.length > 1 ? ` (and ${failures.length - 1} more)` : '';
  return `      <${tag} message="${escapeXml(failures[0].message + more)}">${escapeXml(failures.map((f, i) => formatFailure(f, i, options)).join('\n\n'))}</${tag}>`;
}

interface Case {
  name: string;
  failures: Failure[];
  /** Flaky failures: a testcase that passed on the re-send, reported as a failure with its own message. */
  flaky: Failure[];
  ran: boolean;
  /** Why it was not run to its end, if it was not. */
  skipped?: string;
}

export function toJUnit(report: Report, options: FormatOptions = {}): string {
  const suites = report.specs.map((spec) => {
    const cases = new Map<string, Case>();
    const at = (key: string, name: string): Case => {
      let found = cases.get(key);
      if (!found) cases.set(key, (found = { name, failures: [], flaky: [], ran: false }));
      return found;
    };
    for (const tally of report.tallies.filter((t) => t.spec === spec.name)) {
      const entry = at(caseKey(tally), `${tally.operation} ${tally.check}`);
      entry.ran ||= tally.passed + tally.failed > 0;
    }
    for (const failure of report.failures.filter((f) => f.spec === spec.name))
      at(caseKey(failure), `${failure.operation} ${failure.check}`).failures.push(failure);
    for (const { failure } of report.flaky.filter((f) => f.failure.spec === spec.name))
      at(`flaky\u0000${caseKey(failure)}`, `${failure.operation} ${failure.check} (flaky)`).flaky.push(failure);
    for (const untested of report.untested.filter((u) => u.spec === spec.name)) {
      const entry = at(
        `untested\u0000${untested.operation}\u0000${untested.job}`,
        `${untested.operation} ${untested.job} [${untested.phase}]`,
      );
      entry.skipped = `${untested.started ? 'cut short' : 'not run'} (${untested.reason})`;
    }
    return { spec, cases: [...cases.values()] };
  });
  const failing = (c: Case) => c.failures.length > 0 || c.flaky.length > 0;
  const total = suites.reduce((n, s) => n + s.cases.length, 0);
  const failures = suites.reduce((n, s) => n + s.cases.filter(failing).length, 0);
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="parley contract" tests="${total}" failures="${failures}" time="${report.durationMs / 1000}">`,
  ];
  for (const { spec, cases } of suites) {
    const coverage = report.constraints.filter((c) => c.spec === spec.name);
    lines.push(
      `  <testsuite name="${escapeXml(spec.name)}" tests="${cases.length}" failures="${cases.filter(failing).length}">`,
    );
    if (coverage.length > 0) {
      lines.push('    <properties>');
      for (const entry of coverage) {
        const probed = entry.constraints.filter((c) => c.valid + c.invalid > 0).length;
        lines.push(
          `      <property name="coverage.${escapeXml(entry.operation)}.constraints" value="${probed}/${entry.constraints.length}"/>`,
        );
        lines.push(
          `      <property name="coverage.${escapeXml(entry.operation)}.probes" value="${entry.sent}/${entry.planned}${entry.budgetCut ? ' (cut by --coverage-budget)' : ''}"/>`,
        );
      }
      lines.push('    </properties>');
    }
    for (const entry of cases) {
      const open = `    <testcase classname="${escapeXml(spec.name)}" name="${escapeXml(entry.name)}"`;
      if (entry.failures.length > 0) lines.push(`${open}>`, failureElement(entry.failures, options), '    </testcase>');
      else if (entry.flaky.length > 0)
        lines.push(
          `${open}>`,
          failureElement(
            entry.flaky.map((f) => ({ ...f, message: `flaky: ${f.message}` })),
            options,
          ),
          '    </testcase>',
        );
      else if (entry.skipped)
        lines.push(`${open}>`, `      <skipped message="${escapeXml(entry.skipped)}"/>`, '    </testcase>');
      else if (!entry.ran) lines.push(`${open}>`, '      <skipped message="only warnings"/>', '    </testcase>');
      else lines.push(`${open}/>`);
    }
    if (coverage.length > 0) lines.push(`    <system-out>${escapeXml(formatConstraintTable(coverage))}</system-out>`);
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return `${lines.join('\n')}\n`;
}
