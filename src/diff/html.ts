/** `parley diff --html`: the changes between two versions of a spec as one self-contained page, breaking ones first. */
import { emptyNote, renderPage, section, table, type PageVerdict } from '../report/html/layout.js';
import type { Change, DiffReport } from './change.js';

function verdictOf(report: DiffReport): PageVerdict {
  if (report.breaking > 0)
    return { passed: false, headline: `${report.breaking} breaking change(s) for clients of the old version` };
  return { passed: true, headline: report.changes.length > 0 ? 'No breaking changes' : 'No changes' };
}

const rows = (changes: Change[]) => changes.map((c) => [c.operation || '(document)', c.location, c.message, c.id]);
const COLUMNS = ['operation', 'where', 'change', 'kind'];

export function diffReportHtml(report: DiffReport): string {
  const breaking = report.changes.filter((c) => c.breaking);
  const other = report.changes.filter((c) => !c.breaking);
  const version = (side: DiffReport['old']) =>
    `${side.file} — ${side.title || 'untitled'} ${side.version || '(no version)'}`;
  return renderPage({
    title: 'parley diff report',
    verdict: verdictOf(report),
    facts: [
      ['old', version(report.old)],
      ['new', version(report.new)],
      ['changes', report.changes.length],
    ],
    sections: [
      section(
        'breaking',
        `Breaking changes (${breaking.length})`,
        breaking.length > 0 ? table(COLUMNS, rows(breaking)) : emptyNote('None.'),
      ),
      section(
        'non-breaking',
        `Non-breaking changes (${other.length})`,
        other.length > 0 ? table(COLUMNS, rows(other)) : emptyNote('None.'),
      ),
    ],
  });
}
