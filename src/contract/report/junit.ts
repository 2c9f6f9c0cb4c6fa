/** JUnit XML for CI dashboards: a testsuite per spec, a testcase per operation × check. */
import type { Failure, Report } from '../types.js';
import { escapeXml } from '../../report/escape.js';
import { formatFailure } from './console.js';

/** A testcase is an operation × check; it may hold several failures, one per phase that found one (valid, each violation kind...). */
const caseKey = (f: { spec: string; operation: string; check: string }) => `${f.spec}\u0000${f.operation}\u0000${f.check}`;

/** One <failure> holding every failure of a testcase, so the counts match the testcases that fail. */
function failureElement(failures: Failure[]): string {
  const more = failures.length > 1 ? ` (and ${failures.length - 1} more)` : '';
  return `      <failure message="${escapeXml(failures[0].message + more)}">${escapeXml(failures.map(formatFailure).join('\n\n'))}</failure>`;
}

export function toJUnit(report: Report): string {
  const byCase = new Map<string, Failure[]>();
  for (const failure of report.failures) byCase.set(caseKey(failure), [...(byCase.get(caseKey(failure)) ?? []), failure]);
  const tallied = new Set(report.tallies.map(caseKey));
  // Failures outside any tally (setup errors) still need a testcase.
  const untallied = [...byCase.keys()].filter((key) => !tallied.has(key));
  const failingCases = (spec?: string) => [...byCase.values()].filter(([f]) => spec === undefined || f.spec === spec).length;
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites name="parley contract" tests="${report.tallies.length + untallied.length}" failures="${failingCases()}" time="${report.durationMs / 1000}">`];
  for (const spec of report.specs) {
    const tallies = report.tallies.filter((t) => t.spec === spec.name);
    const extra = untallied.filter((key) => byCase.get(key)![0].spec === spec.name);
    lines.push(`  <testsuite name="${escapeXml(spec.name)}" tests="${tallies.length + extra.length}" failures="${failingCases(spec.name)}">`);
    for (const tally of tallies) {
      const caseFailures = byCase.get(caseKey(tally));
      const name = `${tally.operation} ${tally.check}`;
      if (caseFailures) {
        lines.push(`    <testcase classname="${escapeXml(spec.name)}" name="${escapeXml(name)}">`);
        lines.push(failureElement(caseFailures));
        lines.push('    </testcase>');
      } else {
        lines.push(`    <testcase classname="${escapeXml(spec.name)}" name="${escapeXml(name)}"${tally.passed + tally.failed === 0 ? '>\n      <skipped message="only warnings"/>\n    </testcase>' : '/>'}`);
      }
    }
    for (const key of extra) {
      const caseFailures = byCase.get(key)!;
      lines.push(`    <testcase classname="${escapeXml(spec.name)}" name="${escapeXml(`${caseFailures[0].operation} ${caseFailures[0].check}`)}">`);
      lines.push(failureElement(caseFailures));
      lines.push('    </testcase>');
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return lines.join('\n') + '\n';
}
