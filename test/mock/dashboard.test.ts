/**
 * The dashboard in a real browser (Debian's Chromium through playwright-core) against a running mock:
 * every panel clicked through, its effect checked over HTTP, screenshots under a temp dir.
 * PARLEY_UPDATE_SCREENSHOT=1 also writes docs/dashboard.png for the README.
 */
import { copyFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningMock } from '../../src/mock/server.js';
import { ensureBuilt } from '../helpers/build.js';
import { launchBrowser, screenshotDir } from '../helpers/browser.js';
import { getJson, postJson, send } from '../helpers/http.js';
import { featherKey, PATHS, ROOT, startBundledMock } from '../helpers/mock.js';

const TOKEN = 'dashboard-token';
const admin = { 'x-parley-admin-token': TOKEN };

describe('dashboard at /__parley/', () => {
  let mock: RunningMock;
  let browser: Browser;
  let page: Page;
  let shots: string;
  const shot = (name: string) => page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });

  beforeAll(async () => {
    ensureBuilt();
    mock = await startBundledMock({ adminToken: TOKEN, seed: 3 });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.setDefaultTimeout(10_000);
    shots = await screenshotDir();
    await page.goto(`${mock.url}/__parley/`);
    await page.fill('#key', 'key-dash');
    await page.fill('#token', TOKEN);
    await page.click('#credentials button[type=submit]');
    await page.locator('#live:not(.offline)').waitFor({ timeout: 15_000 });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await mock?.close();
  });

  it('shows requests live, and a rejected one with its bodies, headers and validation issues', async () => {
    const created = await postJson(
      mock.url,
      PATHS.featherSessions,
      { title: 'Dashboard demo' },
      featherKey('key-dash'),
    );
    expect(created.status).toBe(201);
    expect((await postJson(mock.url, PATHS.featherSessions, { title: 42 }, featherKey('key-dash'))).status).toBe(422);
    const rows = page.locator('#requests tbody tr');
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
    // Newest first: the 422.
    await expect
      .poll(() => rows.first().innerText())
      .toMatch(/POST\s+\/v1\/ask-feather\/sessions\s+422\s+[\d.]+\s+key-dash/);
    await rows.first().click();
    const detail = page.locator('#request-detail');
    await expect.poll(() => detail.innerText()).toContain('Validation issues');
    const text = await detail.innerText();
    expect(text).toMatch(/body\.title: .*\(/);
    expect(text).toContain('"title": 42');
    expect(text).toContain('x-api-key');
    expect(await page.locator('#request-detail .response-body').innerText()).toContain('"detail"');
    await shot('requests');
    if (process.env.PARLEY_UPDATE_SCREENSHOT === '1')
      await copyFile(path.join(shots, 'requests.png'), path.join(ROOT, 'docs/dashboard.png'));
  });

  it('state: per tenant, searchable, a record edited as JSON and the tenant reset', async () => {
    const other = await postJson(mock.url, PATHS.featherSessions, { title: 'Other tenant' }, featherKey('key-other'));
    expect(other.status).toBe(201);
    await page.click('nav button[data-panel=state]');
    await page.locator('.tenant[data-tenant="key-dash"]').waitFor();
    // With the admin token, every tenant is listed.
    await page.locator('.tenant[data-tenant="key-other"]').waitFor();
    await page.fill('#state-search', 'Dashboard demo');
    await expect.poll(() => page.locator('.tenant').count()).toBe(1);
    const record = page.locator('.tenant[data-tenant="key-dash"] details').first();
    await record.locator('summary').click();
    const editor = record.locator('textarea');
    const edited = (await editor.inputValue()).replace('Dashboard demo', 'Dashboard demo, renamed');
    await editor.fill(edited);
    await record.locator('button', { hasText: 'Save' }).click();
    await expect.poll(() => page.locator('#state-message').innerText()).toMatch(/^Saved /);
    const state = await getJson(mock.url, '/__parley/state?tenant=key-dash', admin);
    expect(JSON.stringify(state.body.tenants['key-dash'])).toContain('Dashboard demo, renamed');

    // Invalid JSON is refused in the page, nothing is sent.
    await record.locator('summary').click();
    await editor.fill('{ not json');
    await record.locator('button', { hasText: 'Save' }).click();
    await expect.poll(() => page.locator('#state-message').innerText()).toMatch(/^Not JSON/);
    await page.fill('#state-search', '');
    await shot('state');

    await page.locator('.tenant[data-tenant="key-dash"] button', { hasText: 'Reset' }).click();
    await expect.poll(() => page.locator('#state-message').innerText()).toBe('Reset key-dash');
    const after = await getJson(mock.url, '/__parley/state', admin);
    expect(after.body.tenants['key-dash']).toBeUndefined();
    expect(after.body.tenants['key-other']).toBeDefined();
  });

  it('specs: operations listed, a status chip sends the request with Prefer and shows the answer', async () => {
    await page.click('nav button[data-panel=specs]');
    const operation = page.locator('[data-operation="create_session_v1_ask_feather_sessions_post"]');
    await operation.waitFor();
    const served = (await getJson(mock.url, '/__parley/specs', admin)).body.specs.flatMap(
      (spec: { operations: unknown[] }) => spec.operations,
    );
    expect(await page.locator('.operation').count()).toBe(served.length);
    await operation.locator('.chips button', { hasText: /^201$/ }).click();
    await expect.poll(() => page.locator('#try-result').innerText()).toMatch(/Prefer: code=201\s+201 Created/);
    // A documented error status is one click too.
    await operation.locator('.chips button', { hasText: /^422$/ }).click();
    await expect.poll(() => page.locator('#try-result').innerText()).toMatch(/Prefer: code=422\s+422 /);
    await shot('specs');
  });

  it('controls: error rate and latency changed at run time, and the clock moved', async () => {
    await page.click('nav button[data-panel=controls]');
    await page.fill('#error-rate', '1');
    await page.fill('#latency', '5-10');
    await page.click('#controls-form button[type=submit]');
    await expect.poll(() => page.locator('#controls-message').innerText()).toBe('Applied');
    expect((await getJson(mock.url, '/__parley/controls', admin)).body).toEqual({ latencyMs: [5, 10], errorRate: 1 });
    const injected = await postJson(mock.url, PATHS.featherSessions, {}, featherKey('key-dash'));
    expect(injected.status).toBe(500);
    await page.fill('#error-rate', '0');
    await page.fill('#latency', '0');
    await page.click('#controls-form button[type=submit]');
    await expect
      .poll(async () => (await getJson(mock.url, '/__parley/controls', admin)).body)
      .toEqual({ latencyMs: 0, errorRate: 0 });
    expect((await postJson(mock.url, PATHS.featherSessions, {}, featherKey('key-dash'))).status).toBe(201);

    const before = (await getJson(mock.url, '/__parley/clock', admin)).body.offsetMs;
    await page.fill('#advance', '90');
    await page.click('#clock-form button[type=submit]');
    await expect.poll(() => page.locator('#controls-message').innerText()).toBe('Clock moved');
    expect((await getJson(mock.url, '/__parley/clock', admin)).body.offsetMs).toBe(before + 90 * 60_000);
    expect(await page.locator('#clock-offset').innerText()).toBe(String(before + 90 * 60_000));
    await shot('controls');
  });
});

describe('dashboard safety', () => {
  let mock: RunningMock;
  beforeAll(async () => {
    ensureBuilt();
    mock = await startBundledMock({ adminToken: TOKEN, apiKeys: ['key-ok'] });
  });
  afterAll(() => mock.close());

  it('serves the page with a strict CSP, no framing, and no data in it', async () => {
    const answer = await send(mock.url, 'GET', '/__parley/');
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toMatch(/text\/html/);
    expect(answer.headers['content-security-policy']).toMatch(/default-src 'none'.*frame-ancestors 'none'/);
    expect(answer.headers['x-frame-options']).toBe('DENY');
    const script = await send(mock.url, 'GET', '/__parley/dashboard.js');
    expect(script.status).toBe(200);
    expect(script.text).toContain('/__parley/events');
  });

  it('keeps the admin rules: foreign Host or Origin refused, data calls need a key, non-admins see their tenant only', async () => {
    expect((await send(mock.url, 'GET', '/__parley/', { headers: { host: 'rebind.example' } })).status).toBe(403);
    expect(
      (await send(mock.url, 'GET', '/__parley/events', { headers: { ...admin, origin: 'https://evil.example' } }))
        .status,
    ).toBe(403);
    expect((await send(mock.url, 'GET', '/__parley/specs')).status).toBe(401);
    expect(
      (await send(mock.url, 'POST', '/__parley/controls', { json: { errorRate: 1 }, headers: featherKey('key-ok') }))
        .status,
    ).toBe(403);
    expect(
      (await send(mock.url, 'POST', '/__parley/controls', { json: { errorRate: 2 }, headers: admin })).status,
    ).toBe(400);
    expect(
      (await send(mock.url, 'POST', '/__parley/controls', { json: { latencyMs: [9, 3] }, headers: admin })).status,
    ).toBe(400);
    await postJson(mock.url, PATHS.featherSessions, { title: 'theirs' }, featherKey('key-ok'));
    const theirs = (await getJson(mock.url, '/__parley/requests', admin)).body.requests.at(-1);
    // Another key cannot open that entry (it is not in its tenant); the admin can.
    expect((await getJson(mock.url, `/__parley/requests/${theirs.id}`, admin)).body.detail.requestBody).toContain(
      'theirs',
    );
    expect(
      (
        await getJson(mock.url, `/__parley/requests/${theirs.id}`, {
          ...featherKey('key-ok'),
          'x-parley-session': 'elsewhere',
        })
      ).status,
    ).toBe(404);
  });
});
