/** `parley proxy --html`: the session as one self-contained page — verdict, violations with their exchange, warnings, coverage, timings. */
import { coverageSection } from '../report/html/coverage.js';
import {
  emptyNote,
  exchange,
  renderPage,
  section,
  table,
  type HttpMessage,
  type PageVerdict,
} from '../report/html/layout.js';
import { html, type Markup } from '../report/html/markup.js';
import type { ObservedExchange, ObservedMessage, Problem } from './exchange.js';
import type { ProxyReport } from './log.js';

export interface ProxyHtmlOptions {
  /** The --min-coverage gate's failure line, when the session fell short of it. */
  coverageShortfall?: string;
}

/** Exchanges shown on the page; the JSON report has every one the proxy kept. */
const MAX_EXCHANGES_SHOWN = 200;

function verdictOf(report: ProxyReport, options: ProxyHtmlOptions): PageVerdict {
  const notes = [
    ...(report.dropped > 0
      ? [`${report.dropped} older exchange(s) with findings were not kept (the proxy keeps the latest ones)`]
      : []),
    ...(options.coverageShortfall ? [options.coverageShortfall] : []),
  ];
  if (report.violations > 0)
    return { passed: false, headline: `${report.violations} violation(s) in ${report.exchanges} exchange(s)`, notes };
  if (options.coverageShortfall)
    return {
      passed: false,
      headline: `No violations in ${report.exchanges} exchange(s), but coverage is below the gate`,
      notes,
    };
  return { passed: true, headline: `No violations in ${report.exchanges} exchange(s)`, notes };
}

function messageNote(message: ObservedMessage): string | undefined {
  return message.truncated
    ? `body of ${message.bodyBytes} bytes, cut at the capture limit (forwarded whole)`
    : undefined;
}

function exchangeBlock(observed: ObservedExchange, kind: 'violation' | 'warning'): Markup {
  const { request, response } = observed;
  const problems = (list: Problem[], label: string) =>
    list.map(
      (p) =>
        html`<li class="${label}"><span class="label">${label} (${p.side})</span> <span class="check">${p.check}</span>: ${p.message}</li>`,
    );
  const requestMessage: HttpMessage = {
    startLine: `${request.method} ${request.url}`,
    headers: request.headers,
    body: request.body,
    note: messageNote(request),
  };
  const responseMessage: HttpMessage | string = response
    ? {
        startLine: String(response.status),
        headers: response.headers,
        body: response.body,
        note: messageNote(response),
      }
    : 'no answer from the upstream';
  return html`<article class="finding ${kind === 'warning' ? 'warning' : ''}" id="exchange-${observed.id}">
<h3>#${observed.id} ${observed.operation ?? 'undocumented operation'} — ${request.method} ${request.url} → ${response ? response.status : 'no answer'}${observed.answeredBy === 'mock' ? ' (answered by the mock)' : ''}</h3>
<p class="label">${observed.at}, ${Math.round(observed.durationMs)} ms</p>
<ul class="problems">${problems(observed.violations, 'violation')}${problems(observed.warnings, 'warning')}</ul>
${exchange(requestMessage, responseMessage)}
</article>`;
}

function exchangesSection(
  id: string,
  title: string,
  exchanges: ObservedExchange[],
  kind: 'violation' | 'warning',
  none: string,
): Markup {
  const shown = exchanges.slice(-MAX_EXCHANGES_SHOWN);
  const cut = exchanges.length - shown.length;
  return section(id, `${title} (${exchanges.length})`, [
    cut > 0
      ? html`<p class="label">The latest ${shown.length} are shown; ${cut} earlier ones are in the JSON report (--json).</p>`
      : '',
    shown.length > 0 ? shown.map((e) => exchangeBlock(e, kind)) : emptyNote(none),
  ]);
}

export function proxyReportHtml(report: ProxyReport, options: ProxyHtmlOptions = {}): string {
  const withViolations = report.findings.filter((e) => e.violations.length > 0);
  const warningsOnly = report.findings.filter((e) => e.violations.length === 0);
  return renderPage({
    title: 'parley proxy report',
    verdict: verdictOf(report, options),
    facts: [
      ['upstream', report.upstream],
      ['started', report.startedAt],
      ['exchanges', report.exchanges],
      ['violations', report.violations],
      ['warnings', report.warnings],
      ['answered by the mock', report.answeredByMock],
    ],
    sections: [
      exchangesSection('violations', 'Exchanges with violations', withViolations, 'violation', 'No violations.'),
      exchangesSection('warnings', 'Exchanges with warnings only', warningsOnly, 'warning', 'No warnings.'),
      coverageSection(report.coverage, options.coverageShortfall),
      section(
        'timings',
        'Response times per operation',
        table(
          [
            'operation',
            { title: 'exchanges', numeric: true },
            { title: 'violations', numeric: true },
            { title: 'mean ms', numeric: true },
            { title: 'max ms', numeric: true },
          ],
          report.operations.map((o) => [
            o.operation,
            o.exchanges,
            o.violations,
            Math.round(o.totalMs / Math.max(1, o.exchanges)),
            Math.round(o.maxMs),
          ]),
        ),
      ),
    ],
  });
}
