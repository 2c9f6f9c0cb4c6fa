/** Coverage for people: a table with a row per operation and a totals row, and the line a --min-coverage gate prints. */
import { ratio, type CoverageItem, type CoverageSummary, type OperationCoverage, type Ratio } from './model.js';

/** Whole percent, rounded down: a run at 79.9% never reads as 80%. */
export function formatPercent(share: Ratio): string {
  return share.percent === null ? '-' : `${Math.floor(share.percent)}%`;
}

export function formatRatio(share: Ratio): string {
  return share.total === 0 ? '-' : `${share.covered}/${share.total}`;
}

const NOT_EXERCISED_WIDTH = 70;

/** The items of an operation nothing exercised (statuses, media types, parameters, then constraints), cut to one table cell. */
export function notExercised(operation: OperationCoverage): string {
  const missing = (items: CoverageItem[]) => items.filter((item) => !item.covered).map((item) => item.id);
  const ids = [
    ...missing(operation.statuses),
    ...missing(operation.contentTypes),
    ...missing(operation.parameters),
    ...missing(operation.constraints),
  ];
  const text = ids.join(', ');
  return text.length <= NOT_EXERCISED_WIDTH ? text : `${text.slice(0, NOT_EXERCISED_WIDTH - 1)}…`;
}

export const COVERAGE_COLUMNS = [
  'operation',
  'statuses',
  'content types',
  'parameters',
  'constraints',
  'overall',
  'not exercised',
] as const;

/** The table's rows as text cells (header first, totals last), shared by the console and the HTML report. */
export function coverageRows(summary: CoverageSummary): string[][] {
  const rows: string[][] = [[...COVERAGE_COLUMNS]];
  for (const operation of summary.operations) {
    rows.push([
      `${operation.spec} ${operation.operation}`,
      formatRatio(ratio(operation.statuses)),
      formatRatio(ratio(operation.contentTypes)),
      formatRatio(ratio(operation.parameters)),
      formatRatio(ratio(operation.constraints)),
      formatPercent(operation.overall),
      notExercised(operation),
    ]);
  }
  const { totals } = summary;
  rows.push([
    'total',
    formatRatio(totals.statuses),
    formatRatio(totals.contentTypes),
    formatRatio(totals.parameters),
    formatRatio(totals.constraints),
    formatPercent(totals.overall),
    '',
  ]);
  return rows;
}

export function formatCoverage(summary: CoverageSummary): string {
  const rows = coverageRows(summary);
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  const table = rows.map((row) =>
    row
      .map((text, column) => text.padEnd(widths[column]))
      .join('  ')
      .trimEnd(),
  );
  const phases = summary.phases.length > 0 ? ` (exercised by ${summary.phases.join(', ')})` : '';
  return `Coverage of what the specs document${phases}:\n${table.map((line) => `  ${line}`).join('\n')}\n`;
}

/** The failure line of a --min-coverage gate, or undefined when the coverage reaches it. */
export function coverageShortfall(summary: CoverageSummary, minimumPercent: number): string | undefined {
  const percent = summary.totals.overall.percent ?? 100;
  if (percent >= minimumPercent) return undefined;
  return `coverage ${formatPercent(summary.totals.overall)} is below --min-coverage ${minimumPercent}% (${summary.totals.overall.covered} of ${summary.totals.overall.total} documented statuses, content types, parameters and constraints exercised)`;
}
