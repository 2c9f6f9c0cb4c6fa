/** `parley diff` reports: text for people, JUnit for CI (one testcase per operation, failing on breaking changes). */
import { escapeXml } from '../report/escape.js';
import type { Change, DiffReport } from './change.js';

const line = (change: Change) =>
  `  ${change.operation ? `${change.operation}  ` : ''}${change.location}: ${change.message}  [${change.id}]`;

export function formatDiff(report: DiffReport): string {
  const breaking = report.changes.filter((c) => c.breaking);
  const other = report.changes.filter((c) => !c.breaking);
  const parts = [
    `${report.old.file} (${report.old.version || 'no version'}) → ${report.new.file} (${report.new.version || 'no version'})`,
  ];
  if (breaking.length > 0) parts.push(`Breaking changes (${breaking.length}):\n${breaking.map(line).join('\n')}`);
  if (other.length > 0) parts.push(`Non-breaking changes (${other.length}):\n${other.map(line).join('\n')}`);
  parts.push(
    breaking.length > 0
      ? `${breaking.length} breaking change(s) for clients of the old version`
      : report.changes.length > 0
        ? 'no breaking changes'
        : 'no changes',
  );
  return `${parts.join('\n\n')}\n`;
}

export function diffToJUnit(report: DiffReport): string {
  const byOperation = new Map<string, Change[]>();
  for (const change of report.changes)
    byOperation.set(change.operation, [...(byOperation.get(change.operation) ?? []), change]);
  const failing = [...byOperation.values()].filter((changes) => changes.some((c) => c.breaking)).length;
  const suite = escapeXml(`${report.old.file} → ${report.new.file}`);
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="parley diff" tests="${byOperation.size}" failures="${failing}">`,
    `  <testsuite name="${suite}" tests="${byOperation.size}" failures="${failing}">`,
  ];
  for (const [operation, changes] of byOperation) {
    const breaking = changes.filter((c) => c.breaking);
    const name = escapeXml(operation || 'document');
    if (breaking.length === 0) {
      lines.push(
        `    <testcase classname="diff" name="${name}"><system-out>${escapeXml(changes.map(line).join('\n'))}</system-out></testcase>`,
      );
      continue;
    }
    lines.push(`    <testcase classname="diff" name="${name}">`);
    lines.push(
      `      <failure message="${escapeXml(`${breaking.length} breaking change(s): ${breaking[0].location}: ${breaking[0].message}`)}">${escapeXml(breaking.map(line).join('\n'))}</failure>`,
    );
    lines.push('    </testcase>');
  }
  lines.push('  </testsuite>', '</testsuites>');
  return `${lines.join('\n')}\n`;
}
