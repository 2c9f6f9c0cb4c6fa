/**
 * Debian's Chromium driven by playwright-core, for tests that look at what a person sees.
 * `.ci/run` installs the `chromium` package; a machine without it fails these tests loudly
 * rather than skipping them.
 */
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { ensureBuilt } from './build.js';

export const CHROMIUM_PATH = process.env.PARLEY_CHROMIUM ?? '/usr/bin/chromium';

/** Flags that keep a headless Chromium off the (closed) network and quiet as root. */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}: install Debian's chromium package (bash .ci/run does) or set PARLEY_CHROMIUM`,
    );
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}

/** A fresh temporary directory for a test's screenshots. */
export function screenshotDir(): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), 'parley-screens-'));
}

/** The text of the dashboard's banner `#id` once it shows, in a fresh browser (the dashboard's script built first). */
export async function dashboardBannerText(mockUrl: string, id: string): Promise<string> {
  ensureBuilt();
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    await page.goto(`${mockUrl}/__parley/`);
    const banner = page.locator(`#${id}`);
    await banner.waitFor({ state: 'visible', timeout: 10_000 });
    return await banner.innerText();
  } finally {
    await browser.close();
  }
}
