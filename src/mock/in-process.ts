/**
 * The mock without a server: a function from a Fetch `Request` to a `Response` running the same
 * pipeline as `parley mock` (validation, behaviours, state, error shapes). For unit and browser
 * tests, directly or through MSW (`parley/msw`).
 */
import { loadSpecs } from '../openapi/load.js';
import type { Spec } from '../openapi/types.js';
import type { MockApp } from './app.js';
import { FetchExchange } from './fetch-exchange.js';
import { createMockApp, type MockServerOptions } from './server.js';

/** Everything `parley mock` takes that still means something without a socket. */
export type MockHandlerOptions = Omit<
  MockServerOptions,
  | 'specFiles'
  | 'specs'
  | 'port'
  | 'host'
  | 'requestTimeoutMs'
  | 'headersTimeoutMs'
  | 'keepAliveTimeoutMs'
  | 'shutdownGraceMs'
  | 'stateFile'
  | 'saveIntervalMs'
  | 'onStateError'
>;

export interface MockHandler {
  (request: Request): Promise<Response>;
  /** The mock behind the handler: its store, fixtures, clock and request log. */
  readonly app: MockApp;
}

/** Builds the in-process mock from spec files or already loaded specs. */
export async function createMockHandler(
  specs: readonly (string | Spec)[],
  options: MockHandlerOptions = {},
): Promise<MockHandler> {
  const files = specs.filter((spec): spec is string => typeof spec === 'string');
  const loaded = specs.filter((spec): spec is Spec => typeof spec !== 'string');
  const app = await createMockApp({
    ...options,
    specs: [...loaded, ...(files.length > 0 ? await loadSpecs(files) : [])],
  });
  const handler = async (request: Request): Promise<Response> => {
    const exchange = new FetchExchange(request);
    await app.serve(exchange);
    return exchange.toResponse();
  };
  return Object.assign(handler, { app });
}
