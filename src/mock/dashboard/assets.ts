/** The dashboard's three files, served by the mock itself: no build step for users, nothing from the network. */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { HeaderFields } from '../cors.js';
import { DASHBOARD_CSS, DASHBOARD_HTML } from './page.js';

export interface Asset {
  head: HeaderFields;
  body: string;
}

/**
 * The page may load only its own script and style and talk only to its own origin; no page may
 * frame it (a framed dashboard could be clicked through by another site).
 */
const PAGE_SECURITY: HeaderFields = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};

let script: string | undefined;

/** The compiled client: next to this module in the build; from the build when running from source (tests). */
function clientScript(): string {
  if (script !== undefined) return script;
  const candidates = [
    new URL('./client.js', import.meta.url),
    new URL('../../../dist/src/mock/dashboard/client.js', import.meta.url),
  ];
  const found = candidates.map((url) => fileURLToPath(url)).find((file) => existsSync(file));
  if (!found) throw new Error('the dashboard script is not built: run `npm run build`');
  script = readFileSync(found, 'utf8').replace(/\n\/\/# sourceMappingURL=.*\s*$/, '\n');
  return script;
}

/** The asset at a path under the admin prefix ('' is the page), or undefined. */
export function dashboardAsset(name: string): Asset | undefined {
  switch (name) {
    case '':
    case 'index.html':
      return { head: { ...PAGE_SECURITY, 'Content-Type': 'text/html; charset=utf-8' }, body: DASHBOARD_HTML };
    case 'dashboard.css':
      return { head: { ...PAGE_SECURITY, 'Content-Type': 'text/css; charset=utf-8' }, body: DASHBOARD_CSS };
    case 'dashboard.js':
      return { head: { ...PAGE_SECURITY, 'Content-Type': 'text/javascript; charset=utf-8' }, body: clientScript() };
    default:
      return undefined;
  }
}
