/** `parley test --html`: the run as one self-contained page — verdict, failures with curl and exchange, warnings, coverage, checks and timings. */
import { coverageSection } from '../../report/html/coverage.js';
import {
  emptyNote,
  exchange,
  renderPage,
  section,
  table,
  type HttpMessage,
  type PageVerdict,
} from '../../report/html/layout.js';
import { html, type Markup } from '../../report/html/markup.js';
import { untestedOperations, verdictOf as runVerdict } from '../collect.js';
import type { Failure, Report, Warning } from '../types.js';

export interface TestHtmlOptions {
  /** The --min-coverage gate's failure line, when the run fell short of it. */
  coverageShortfall?: string;
  /** The command line that replays a failure (the CLI spells its own flags); without it no replay line is shown. */
  replayCommand?: (failure: Failure) => string;
}

function verdictOf(report: Report, options: TestHtmlOptions): PageVerdict {
  const notes: string[] = [];
  const incomplete = runVerdict(report) === 'incomplete';
  if (incomplete)
    notes.push(
      `stopped early by --max-time: not everything selected was tested (${untestedOperations(report).length} operation(s) untested)`,
    );
  if (report.flaky.length > 0)
    notes.push(`${report.flaky.length} flaky failure(s): failed, then passed when sent again`);
  if (options.coverageShortfall) notes.push(options.coverageShortfall);
  if (report.failures.length > 0)
    return { passed: false, headline: `${report.failures.length} contract failure(s)`, notes };
  if (report.flaky.length > 0) return { passed: false, headline: `${report.flaky.length} flaky failure(s)`, notes };
  if (incomplete)
    return { passed: false, headline: 'No contract failures in what was tested, but the run was cut short', notes };
  if (options.coverageShortfall)
    return { passed: false, headline: 'The target conforms, but coverage is below the gate', notes };
  return { passed: true, headline: 'The target conforms', notes };
}

function requestOf(failure: Failure): HttpMessage {
  return {
    startLine: `${failure.wire.method} ${failure.wire.url}`,
    headers: failure.wire.headers,
    body: failure.wire.body,
  };
}

function failureBlock(
  failure: Failure,
  index: number,
  replayCommand: ((failure: Failure) => string) | undefined,
): Markup {
  const response: HttpMessage | string = failure.response
    ? { startLine: String(failure.response.status), headers: failure.response.headers, body: failure.response.text }
    : `no response: ${failure.transportError ?? 'unknown error'}`;
  return html`<article class="finding failure" id="failure-${index + 1}">
<h3>${index + 1}) ${failure.spec} ${failure.operation} — <span class="check">${failure.check}</span></h3>
<p class="message">${failure.message}</p>
<p><span class="label">expected:</span> ${failure.expected}</p>
${failure.violation ? html`<p><span class="label">violation:</span> ${failure.violation.kind} at ${failure.violation.location} (${failure.violation.description})</p>` : ''}
${
  failure.curl
    ? html`<p class="label">${failure.shrinkingCut ? 'failing request (shrinking stopped by --max-time, may not be the smallest)' : 'smallest failing request'}:</p><pre class="curl">${failure.curl}</pre>`
    : ''
}
${exchange(requestOf(failure), response)}
${replayCommand ? html`<p><span class="label">replay:</span> <code class="replay">${replayCommand(failure)}</code></p>` : ''}
</article>`;
}

function warningRows(warnings: Warning[]) {
  return warnings.map((w) => [`${w.spec} ${w.operation}`, w.check, w.message, html`<pre>${w.curl}</pre>`]);
}

export function testReportHtml(report: Report, options: TestHtmlOptions = {}): string {
  const checks = report.tallies.reduce((sum, t) => sum + t.passed + t.failed + t.warned, 0);
  const sections = [
    section(
      'failures',
      `Failures (${report.failures.length})`,
      report.failures.length > 0
        ? report.failures.map((failure, index) => failureBlock(failure, index, options.replayCommand))
        : emptyNote('No contract failures.'),
    ),
    section(
      'warnings',
      `Warnings (${report.warnings.length})`,
      report.warnings.length > 0
        ? table(['operation', 'check', 'message', 'request'], warningRows(report.warnings))
        : emptyNote('No warnings.'),
    ),
    coverageSection(report.coverage, options.coverageShortfall),
    section(
      'checks',
      'Checks',
      table(
        [
          'operation',
          'check',
          { title: 'passed', numeric: true },
          { title: 'failed', numeric: true },
          { title: 'warned', numeric: true },
        ],
        report.tallies.map((t) => [`${t.spec} ${t.operation}`, t.check, t.passed, t.failed, t.warned]),
      ),
    ),
    section(
      'timings',
      'Response times per operation',
      table(
        [
          'operation',
          { title: 'requests', numeric: true },
          { title: 'mean ms', numeric: true },
          { title: 'max ms', numeric: true },
        ],
        report.timings.map((t) => [
          `${t.spec} ${t.operation}`,
          t.requests,
          Math.round(t.totalMs / Math.max(1, t.requests)),
          Math.round(t.maxMs),
        ]),
      ),
    ),
  ];
  if (report.cleanup) {
    const { deleted, alreadyGone, failed } = report.cleanup;
    sections.push(
      section('cleanup', 'Cleanup', [
        html`<p>${deleted} deleted, ${alreadyGone} already gone, ${failed.length} not deleted</p>`,
        failed.length > 0
          ? table(
              ['url', 'outcome'],
              failed.map((f) => [f.url, f.outcome]),
            )
          : '',
      ]),
    );
  }
  return renderPage({
    title: 'parley test report',
    verdict: verdictOf(report, options),
    facts: [
      ['target', report.target],
      ['specs', report.specs.map((s) => `${s.name} (${s.title})`).join(', ')],
      ['seed', report.seed],
      ['requests', report.requests],
      ['checks', checks],
      ['duration', `${(report.durationMs / 1000).toFixed(1)} s`],
    ],
    sections,
  });
}
