/** Formats bench results as aligned text tables and as Markdown. */

export const mib = (bytes) => bytes / 1024 / 1024;

export function formatNumber(value, digits = 0) {
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** Markdown table; also readable as plain text in a terminal. */
export function table(header, rows) {
  const cells = [header, ...rows].map((row) => row.map(String));
  const widths = header.map((_, column) => Math.max(3, ...cells.map((row) => row[column].length)));
  const line = (row) => `| ${row.map((cell, column) => cell.padEnd(widths[column])).join(' | ')} |`;
  return [
    line(cells[0]),
    `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`,
    ...cells.slice(1).map(line),
  ].join('\n');
}

export const verdict = (met) => (met ? 'met' : 'MISSED');

/** A median with its range over rounds, e.g. `1.42× (1.31–1.55)`; `scale` 100 with suffix `%` for percentages. */
export function formatRange({ median, min, max }, { digits = 1, scale = 1, suffix = '×' } = {}) {
  const at = (value) => formatNumber(value * scale, digits);
  return `${at(median)}${suffix} (${at(min)}–${at(max)})`;
}

/** CPU µs per request, or a dash where it was not measured. */
export const formatCpu = (micros) => (Number.isFinite(micros) ? formatNumber(micros, 1) : '–');
