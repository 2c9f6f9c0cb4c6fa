/** The coverage section of the test and proxy HTML reports: the console's table, then each operation's items and the phases that exercised them. */
import { COVERAGE_COLUMNS, coverageRows } from '../../coverage/format.js';
import type { CoverageItem, CoverageSummary, OperationCoverage } from '../../coverage/model.js';
import { emptyNote, section, table } from './layout.js';
import { html, type Markup } from './markup.js';

const KINDS: [keyof Pick<OperationCoverage, 'statuses' | 'contentTypes' | 'parameters' | 'constraints'>, string][] = [
  ['statuses', 'status'],
  ['contentTypes', 'content type'],
  ['parameters', 'parameter'],
  ['constraints', 'constraint'],
];

function itemRows(operation: OperationCoverage): string[][] {
  const row = (kind: string, item: CoverageItem) => [
    kind,
    item.id,
    item.covered ? 'yes' : 'no',
    item.phases.join(', '),
    String(item.hits),
  ];
  return [
    ...KINDS.flatMap(([key, kind]) => operation[key].map((item) => row(kind, item))),
    ...operation.undocumentedStatuses.map((status) => ['undocumented status', String(status), 'seen', '', '']),
  ];
}

export function coverageSection(coverage: CoverageSummary, note?: string): Markup {
  if (coverage.operations.length === 0) return section('coverage', 'Coverage', emptyNote('No operation was in scope.'));
  const columns = COVERAGE_COLUMNS.map((title, i) => ({ title, numeric: i > 0 && i < COVERAGE_COLUMNS.length - 1 }));
  const details = coverage.operations.map(
    (operation) =>
      html`<details><summary>${operation.spec} ${operation.operation} — ${operation.method} ${operation.path} (${operation.exchanges} exchange(s))</summary>${table(
        ['kind', 'item', 'exercised', 'by', { title: 'hits', numeric: true }],
        itemRows(operation),
      )}</details>`,
  );
  return section('coverage', 'Coverage', [
    note ? html`<p>${note}</p>` : '',
    html`<p class="label">Of what the specs document: statuses, response content types, parameters, and schema constraints probed on their valid and invalid side${
      coverage.phases.length > 0 ? `; exercised by ${coverage.phases.join(', ')}` : ''
    }.</p>`,
    table(columns, coverageRows(coverage).slice(1)),
    details,
  ]);
}
