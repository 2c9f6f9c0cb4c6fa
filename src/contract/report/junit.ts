/** JUnit XML for CI dashboards: a testsuite per spec, a testcase per operation × check. */
import type { Report } from '../types.js';
import { formatFailure } from './console.js';

const escapeXml = (text: string) =>
  text.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');

export function toJUnit(report: Report): string {
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites name="parley contract" tests="${report.tallies.length}" failures="${report.failures.length}" time="${report.durationMs / 1000}">`];
  for (const spec of report.specs) {
    const tallies = report.tallies.filter((t) => t.spec === spec.name);
    const failures = report.failures.filter((f) => f.spec === spec.name);
    lines.push(`  <testsuite name="${escapeXml(spec.name)}" tests="${tallies.length}" failures="${failures.length}">`);
    for (const tally of tallies) {
      const failure = failures.find((f) => f.operation === tally.operation && f.check === tally.check);
      const name = `${tally.operation} ${tally.check}`;
      if (failure) {
        lines.push(`    <testcase classname="${escapeXml(spec.name)}" name="${escapeXml(name)}">`);
        lines.push(`      <failure message="${escapeXml(failure.message)}">${escapeXml(formatFailure(failure, 0))}</failure>`);
        lines.push('    </testcase>');
      } else {
        lines.push(`    <testcase classname="${escapeXml(spec.name)}" name="${escapeXml(name)}"${tally.passed + tally.failed === 0 ? '>\n      <skipped message="only warnings"/>\n    </testcase>' : '/>'}`);
      }
    }
    // Failures outside any tally (setup errors) still need a testcase.
    for (const failure of failures.filter((f) => !tallies.some((t) => t.operation === f.operation && t.check === f.check))) {
      lines.push(`    <testcase classname="${escapeXml(spec.name)}" name="${escapeXml(`${failure.operation} ${failure.check}`)}">`);
      lines.push(`      <failure message="${escapeXml(failure.message)}">${escapeXml(formatFailure(failure, 0))}</failure>`);
      lines.push('    </testcase>');
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return lines.join('\n') + '\n';
}
