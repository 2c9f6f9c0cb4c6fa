/** The proxy's findings on exit: JUnit (a testcase per operation seen, failing on its violations) and text. */
import { formatCoverage } from '../coverage/format.js';
import { escapeXml } from '../report/escape.js';
import type { ObservedExchange } from './exchange.js';
import type { ProxyReport } from './log.js';

export function describeExchange(exchange: ObservedExchange): string {
  const { request, response } = exchange;
  const lines = [
    `#${exchange.id} ${request.method} ${request.url} → ${response ? response.status : 'no answer'}${exchange.answeredBy === 'mock' ? ' (answered by the mock)' : ''}`,
    ...exchange.violations.map((p) => `  violation (${p.side}) ${p.check}: ${p.message}`),
    ...exchange.warnings.map((p) => `  warning (${p.side}) ${p.check}: ${p.message}`),
  ];
  return lines.join('\n');
}

export function proxyToJUnit(report: ProxyReport): string {
  const failing = new Map<string, ObservedExchange[]>();
  for (const exchange of report.findings) {
    if (exchange.violations.length === 0) continue;
    const key = exchange.operation ?? `${exchange.request.method} (undocumented)`;
    failing.set(key, [...(failing.get(key) ?? []), exchange]);
  }
  const names = new Set([...report.operations.map((o) => o.operation), ...failing.keys()]);
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="parley proxy" tests="${names.size}" failures="${failing.size}">`,
    `  <testsuite name="${escapeXml(report.upstream)}" tests="${names.size}" failures="${failing.size}">`,
  ];
  for (const name of names) {
    const exchanges = failing.get(name);
    if (!exchanges) {
      lines.push(`    <testcase classname="proxy" name="${escapeXml(name)}"/>`);
      continue;
    }
    const count = exchanges.reduce((sum, e) => sum + e.violations.length, 0);
    lines.push(`    <testcase classname="proxy" name="${escapeXml(name)}">`);
    lines.push(
      `      <failure message="${escapeXml(`${count} violation(s): ${exchanges[0].violations[0].check}: ${exchanges[0].violations[0].message}`)}">${escapeXml(exchanges.map(describeExchange).join('\n\n'))}</failure>`,
    );
    lines.push('    </testcase>');
  }
  lines.push('  </testsuite>', '</testsuites>');
  return `${lines.join('\n')}\n`;
}

export function formatProxySummary(report: ProxyReport): string {
  const verdict = report.violations === 0 ? 'no violations' : `${report.violations} violation(s)`;
  const findings = report.findings.filter((e) => e.violations.length > 0).map(describeExchange);
  const coverage = report.coverage.operations.length > 0 ? [formatCoverage(report.coverage).trimEnd()] : [];
  return `${[
    ...findings,
    ...coverage,
    `${report.exchanges} exchange(s) through the proxy to ${report.upstream}: ${verdict}${report.warnings > 0 ? `, ${report.warnings} warning(s)` : ''}`,
  ].join('\n\n')}\n`;
}
