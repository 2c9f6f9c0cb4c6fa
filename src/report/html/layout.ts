/**
 * The parts every HTML report shares: one self-contained page (inline style, no script, a
 * Content-Security-Policy that forbids any fetch), a verdict banner, sections, tables and HTTP messages.
 */
import { html, raw, type Content, type Markup } from './markup.js';

export interface PageVerdict {
  passed: boolean;
  headline: string;
  /** Lines under the headline: what else the reader must know about the verdict (cut short, gates). */
  notes?: string[];
}

export interface Page {
  title: string;
  verdict: PageVerdict;
  /** Facts about the run, shown as a definition list: target, seed, duration… */
  facts: [string, Content][];
  sections: Markup[];
}

const STYLE = raw(`
:root { color-scheme: light; --ok: #1a7f37; --bad: #cf222e; --muted: #59636e; --line: #d1d9e0; --code: #f6f8fa; }
* { box-sizing: border-box; }
body { font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; color: #1f2328; background: #fff; }
main { max-width: 1200px; margin: 0 auto; padding: 24px; }
h1 { font-size: 22px; margin: 0 0 12px; }
h2 { font-size: 18px; margin: 32px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 15px; margin: 0 0 6px; }
h4 { font-size: 13px; margin: 4px 0; color: var(--muted); }
.verdict { padding: 12px 16px; border-radius: 6px; color: #fff; margin-bottom: 16px; }
.verdict.passed { background: var(--ok); }
.verdict.failed { background: var(--bad); }
.verdict .headline { font-size: 18px; font-weight: 600; margin: 0; }
.verdict ul { margin: 6px 0 0; padding-left: 20px; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 0 0 8px; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
table { border-collapse: collapse; width: 100%; margin: 8px 0; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; overflow-wrap: break-word; }
th { background: var(--code); font-weight: 600; }
td.number, th.number { text-align: right; white-space: nowrap; }
tr.total td { font-weight: 600; }
.finding { border: 1px solid var(--line); border-left: 4px solid var(--bad); border-radius: 6px; padding: 12px; margin: 12px 0; }
.finding.warning { border-left-color: #9a6700; }
.finding p { margin: 4px 0; }
.label { color: var(--muted); }
pre { background: var(--code); padding: 8px; border-radius: 4px; white-space: pre-wrap; overflow-wrap: anywhere; margin: 4px 0; font: 12px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.exchange { display: grid; grid-template-columns: 1fr 1fr; gap: 8px; }
@media (max-width: 800px) { .exchange { grid-template-columns: 1fr; } }
.empty { color: var(--muted); }
.breaking { color: var(--bad); font-weight: 600; }
details summary { cursor: pointer; color: var(--muted); }
`);

/** Nothing on the page may load anything: no fetch, image, font or script from anywhere. */
const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

export function renderPage(page: Page): string {
  const { verdict } = page;
  return html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${page.title}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<h1>${page.title}</h1>
<div class="verdict ${verdict.passed ? 'passed' : 'failed'}" id="verdict" role="status">
<p class="headline">${verdict.headline}</p>
${verdict.notes && verdict.notes.length > 0 ? html`<ul>${verdict.notes.map((note) => html`<li>${note}</li>`)}</ul>` : ''}
</div>
<dl class="facts">${page.facts.map(([name, value]) => html`<dt>${name}</dt><dd>${value}</dd>`)}</dl>
${page.sections}
</main>
</body>
</html>
`.text;
}

export function section(id: string, title: string, body: Content): Markup {
  return html`<section id="${id}"><h2>${title}</h2>${body}</section>\n`;
}

export function emptyNote(text: string): Markup {
  return html`<p class="empty">${text}</p>`;
}

export interface Column {
  title: string;
  numeric?: boolean;
}

/** A table; a row whose first cell is "total" is shown as the totals row. */
export function table(columns: readonly (Column | string)[], rows: readonly Content[][]): Markup {
  const cols = columns.map((c) => (typeof c === 'string' ? { title: c } : c));
  const cell = (value: Content, column: number) =>
    html`<td${cols[column]?.numeric ? raw(' class="number"') : ''}>${value}</td>`;
  return html`<table><thead><tr>${cols.map((c) => html`<th${c.numeric ? raw(' class="number"') : ''}>${c.title}</th>`)}</tr></thead><tbody>${rows.map(
    (row) => html`<tr${row[0] === 'total' ? raw(' class="total"') : ''}>${row.map(cell)}</tr>`,
  )}</tbody></table>`;
}

/** Bytes of one body shown on the page: reports of long sessions stay readable and bounded. */
export const BODY_BYTES_SHOWN = 16 * 1024;

export function clipBody(text: string, limit = BODY_BYTES_SHOWN): string {
  const bytes = Buffer.byteLength(text);
  if (bytes <= limit) return text;
  return `${Buffer.from(text).subarray(0, limit).toString('utf8')}\n… (${bytes} bytes, the first ${limit} shown)`;
}

export interface HttpMessage {
  /** "POST http://host/path" or "422". */
  startLine: string;
  headers: Record<string, string>;
  body: string | undefined;
  /** Said under the body, e.g. that it was cut at the capture limit. */
  note?: string;
}

/** A request and its answer side by side, as they went over the wire; `response` is text when none came. */
export function exchange(request: HttpMessage, response: HttpMessage | string): Markup {
  const message = (title: string, m: HttpMessage | string, className: string) =>
    typeof m === 'string'
      ? html`<div class="${className}"><h4>${title}</h4><pre>${m}</pre></div>`
      : html`<div class="${className}"><h4>${title}</h4><pre>${[m.startLine, ...Object.entries(m.headers).map(([name, value]) => `${name}: ${value}`)].join('\n')}${
          m.body ? `\n\n${clipBody(m.body)}` : ''
        }</pre>${m.note ? html`<p class="label">${m.note}</p>` : ''}</div>`;
  return html`<div class="exchange">${message('Request', request, 'request')}${message('Response', response, 'response')}</div>`;
}
