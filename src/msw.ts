/**
 * `parley/msw`: the stateful mock as MSW request handlers, for `setupServer(...handlers)` in vitest
 * or `setupWorker(...handlers)` in a browser. Needs `msw` (2.x) installed next to parley.
 */
import { http, type HttpHandler } from 'msw';
import type { MockHandler } from './mock/in-process.js';
import { ADMIN_PREFIX } from './mock/admin.js';

export { createMockHandler, type MockHandler, type MockHandlerOptions } from './mock/in-process.js';

export interface MswHandlerOptions {
  /**
   * Answer every request under this URL (e.g. `https://api.example.test`), unknown paths included
   * (a 404 in the API's shape). Without it, any origin's requests are answered when their path is
   * one of the specs' operations (or an admin endpoint), and the rest pass through to MSW.
   */
  baseUrl?: string;
}

export function mswHandlers(mock: MockHandler, options: MswHandlerOptions = {}): HttpHandler[] {
  if (options.baseUrl !== undefined) {
    const base = options.baseUrl.replace(/\/+$/, '');
    return [http.all(`${base}/*`, ({ request }) => mock(request))];
  }
  return [
    http.all('*', ({ request }) => {
      const { pathname } = new URL(request.url);
      const known =
        pathname.startsWith(ADMIN_PREFIX) ||
        mock.app.router.route(request.method.toUpperCase(), pathname).kind !== 'not-found';
      return known ? mock(request) : undefined;
    }),
  ];
}
