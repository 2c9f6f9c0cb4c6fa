/**
 * The --html reports of `parley test`, `parley proxy` and `parley diff`, written by the real CLI and
 * opened in Debian's Chromium: the verdict and the findings are read from the rendered page, a
 * screenshot is kept, the page loads nothing from anywhere, and no secret is in the file.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningMock } from '../../src/mock/server.js';
import { startFaultyServer, type FaultyServer } from '../faulty/server.js';
import { launchBrowser, screenshotDir } from '../helpers/browser.js';
import { ensureBuilt } from '../helpers/build.js';
import { send } from '../helpers/http.js';
import { fixtureFile, ROOT, startSpecMock } from '../helpers/mock.js';
import { run, spawnUntil, stopProcess } from '../helpers/processes.js';
import { json, startScriptedUpstream, type ScriptedUpstream } from '../proxy/upstream.js';

const BIN = path.join(ROOT, 'bin/parley.js');
const KEY = 'sk-report-91ac3f07d2';

let browser: Browser;
let dir: string;
beforeAll(async () => {
  ensureBuilt();
  dir = await screenshotDir();
  browser = await launchBrowser();
}, 120_000);
afterAll(async () => {
  await browser?.close();
});

/**
 * Opens a report file in Chromium, runs the page's checks, keeps a screenshot and asserts that the
 * page requested nothing but the file itself.
 */
async function inBrowser(file: string, screenshotName: string, check: (page: Page) => Promise<void>): Promise<void> {
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
  try {
    const requests: string[] = [];
    context.on('request', (request) => requests.push(request.url()));
    const page = await context.newPage();
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    await check(page);
    const shot = path.join(dir, screenshotName);
    await page.screenshot({ path: shot, fullPage: true });
    expect((await stat(shot)).size).toBeGreaterThan(5_000);
    expect(requests).toEqual([pathToFileURL(file).href]);
  } finally {
    await context.close();
  }
}

describe('parley test --html', () => {
  let mock: RunningMock;
  let faulty: FaultyServer;
  const spec = fixtureFile('crud-3.1.yaml');
  beforeAll(async () => {
    // Its key only: a mock that accepts any key would fail ignored_auth too.
    mock = await startSpecMock([spec], { apiKeys: [KEY] });
    // 201s answered as 200s: failures with a curl each.
    faulty = await startFaultyServer([mock.url, mock.url], 'wrong_status');
  });
  afterAll(async () => {
    await faulty?.close();
    await mock?.close();
  });

  it('shows the verdict, a failure with its curl and exchange, and coverage, without the key', async () => {
    const file = path.join(dir, 'test.html');
    const result = await run(
      '/usr/bin/env',
      [
        `PARLEY_API_KEY=${KEY}`,
        process.execPath,
        BIN,
        'test',
        '--target',
        faulty.url,
        spec,
        '--seed',
        '4',
        '--runs',
        '5',
        '--html',
        file,
      ],
      120_000,
      ROOT,
    );
    expect(result.code, result.stdout + result.stderr).toBe(1);
    const text = await readFile(file, 'utf8');
    expect(text.includes(KEY)).toBe(false);
    expect(text).toContain('$PARLEY_API_KEY');

    await inBrowser(file, 'test-report.png', async (page) => {
      const failures = Number(/(\d+) contract failure\(s\)/.exec(result.stdout)![1]);
      expect(await page.locator('#verdict .headline').textContent()).toBe(`${failures} contract failure(s)`);
      expect(await page.locator('#verdict').getAttribute('class')).toContain('failed');
      const first = page.locator('#failures article.failure').first();
      expect(await first.locator('h3').textContent()).toBe('1) crud-3.1 createNote — status_code_conformance');
      const curl = (await first.locator('pre.curl').textContent())!;
      expect(curl).toMatch(new RegExp(`^curl -i -X POST '${faulty.url.replace(/[.]/g, '\\.')}/notebooks/[^']+/notes'`));
      expect(curl).toContain(`-H 'authorization: Bearer '"$PARLEY_API_KEY"''`);
      // The exchange: the request as sent, and the 200 the faulty server gave in place of a 201.
      expect(await first.locator('.exchange .request pre').textContent()).toMatch(
        /^POST http:\/\/127\.0\.0\.1:\d+\/notebooks\//,
      );
      expect(await first.locator('.exchange .response pre').textContent()).toMatch(/^200\n/);
      expect(await first.locator('code.replay').textContent()).toMatch(
        /^parley test --seed 4 --phases (examples|coverage|fuzz|stateful) --only createNote --only status_code_conformance$/,
      );
      expect(await page.locator('#failures article.failure').count()).toBe(failures);
      expect(await page.locator('#coverage tr.total td').first().textContent()).toBe('total');
      expect(await page.locator('#timings tbody tr').count()).toBeGreaterThan(0);
    });
  }, 120_000);
});

describe('parley proxy --html', () => {
  let upstream: ScriptedUpstream;
  beforeAll(async () => {
    // An item without its required name: a response violation on every GET /items/{itemId}.
    upstream = await startScriptedUpstream((received, response) => {
      if (received.url.startsWith('/items/')) return json(response, 200, { id: 7 });
      json(response, 200, { items: [] });
    });
  });
  afterAll(async () => {
    await upstream?.close();
  });

  it('shows the violation with its exchange, credentials redacted', async () => {
    const file = path.join(dir, 'proxy.html');
    const proxy = await spawnUntil(
      process.execPath,
      [BIN, 'proxy', '--upstream', upstream.url, '--port', '0', fixtureFile('coverage-3.0.yaml'), '--html', file],
      /listening on (http:\/\/127\.0\.0\.1:\d+)/,
      60_000,
      ROOT,
    );
    try {
      await send(proxy.match[1], 'GET', '/items?limit=3', { headers: { authorization: `Bearer ${KEY}` } });
      await send(proxy.match[1], 'GET', '/items/7', { headers: { authorization: `Bearer ${KEY}` } });
    } finally {
      expect(await stopProcess(proxy.child, 10_000), proxy.output()).toBe(1);
    }
    const text = await readFile(file, 'utf8');
    expect(text.includes(KEY)).toBe(false);

    await inBrowser(file, 'proxy-report.png', async (page) => {
      expect(await page.locator('#verdict .headline').textContent()).toMatch(
        /^[1-9]\d* violation\(s\) in 2 exchange\(s\)$/,
      );
      const finding = page.locator('#violations article.finding').first();
      expect(await finding.locator('h3').textContent()).toBe('#2 coverage-3.0 getItem — GET /items/7 → 200');
      expect(await finding.locator('li.violation').allTextContents()).toContainEqual(
        expect.stringMatching(/response_schema_conformance: .*name/),
      );
      expect(await finding.locator('.exchange .request pre').textContent()).toContain('authorization: [redacted]');
      expect(await finding.locator('.exchange .response pre').textContent()).toContain('{"id":7}');
      expect(await page.locator('#coverage > table > tbody > tr').count()).toBe(4); // three operations and the totals
    });
  }, 120_000);
});

describe('parley diff --html', () => {
  it('shows the breaking change apart from the others', async () => {
    const file = path.join(dir, 'diff.html');
    const pair = fixtureFile('diff/request-max-length-decreased');
    const result = await run(
      process.execPath,
      [BIN, 'diff', path.join(pair, 'old.yaml'), path.join(pair, 'new.yaml'), '--html', file],
      60_000,
      ROOT,
    );
    expect(result.code, result.stderr).toBe(1);

    await inBrowser(file, 'diff-report.png', async (page) => {
      expect(await page.locator('#verdict .headline').textContent()).toBe(
        '1 breaking change(s) for clients of the old version',
      );
      expect(await page.locator('#breaking tbody tr').allInnerTexts()).toEqual([
        expect.stringMatching(
          /^POST \/pets\trequest body name\tmax-length changed from 50 to 20\trequest-body-max-length-decreased$/,
        ),
      ]);
      expect(await page.locator('#non-breaking tbody tr').count()).toBe(3);
    });
  }, 60_000);
});
