/** Starting mocks for tests, plus the names and credentials of the bundled APIs. */
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect } from 'vitest';
import { startMockServer, type MockServerOptions, type RunningMock } from '../../src/mock/server.js';
import type { HttpResponse } from './http.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const SPEC_FILES = {
  feather: path.join(ROOT, 'specs/feather.yaml'),
  julep: path.join(ROOT, 'specs/julep.yaml'),
  eliza: path.join(ROOT, 'specs/eliza.yaml'),
} as const;
export const BUNDLED_SPECS = Object.values(SPEC_FILES);
export const fixtureFile = (name: string) => path.join(ROOT, 'test/fixtures', name);

export const PATHS = {
  featherSessions: '/v1/ask-feather/sessions',
  featherMessages: (sessionId: string) => `/v1/ask-feather/sessions/${sessionId}/messages`,
  featherConversations: '/v1/v2/conversations',
  julepSessions: '/sessions',
  elizaSessions: '/api/messaging/sessions',
} as const;

export const DEMO_AGENT_ID = '00000000-0000-4000-8000-000000000001';

/** Feather reads its key from `x-api-key`; Julep from `Authorization`. */
export const featherKey = (key = 'key-alpha') => ({ 'x-api-key': key });
export const julepKey = (key = 'key-alpha') => ({ authorization: `Bearer ${key}` });

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Every bundled spec on a free loopback port; close it in afterAll. */
export function startBundledMock(options: MockServerOptions = {}): Promise<RunningMock> {
  return startMockServer({ specFiles: BUNDLED_SPECS, port: 0, host: '127.0.0.1', ...options });
}

export function startSpecMock(specFiles: string[], options: MockServerOptions = {}): Promise<RunningMock> {
  return startMockServer({ specFiles, port: 0, host: '127.0.0.1', ...options });
}

/** Runs `use` against a mock of `specFiles`, closed afterwards whatever happens. */
export async function withSpecMock<T>(
  specFiles: string[],
  use: (mock: RunningMock) => Promise<T>,
  options: MockServerOptions = {},
): Promise<T> {
  const mock = await startSpecMock(specFiles, options);
  try {
    return await use(mock);
  } finally {
    await mock.close();
  }
}

/** A mock of `specFiles` for the enclosing describe block: started before its tests, closed after them. */
export function specMockFor(
  specFiles: string[],
  options: MockServerOptions = {},
): { readonly url: string; readonly app: RunningMock['app'] } {
  let mock: RunningMock | undefined;
  beforeAll(async () => {
    mock = await startSpecMock(specFiles, options);
  });
  afterAll(() => mock?.close());
  return {
    get url() {
      return mock!.url;
    },
    get app() {
      return mock!.app;
    },
  };
}

/** Writes a JSON file in a fresh temporary directory and returns its path. */
export async function tempJsonFile(name: string, value: unknown): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'parley-test-'));
  const file = path.join(dir, name);
  await writeFile(file, typeof value === 'string' ? value : JSON.stringify(value));
  return file;
}

/** FastAPI's HTTPValidationError: `{detail: [{loc, msg, type}, ...]}`; returns the issues. */
export function expectFastApiValidation(
  response: HttpResponse,
  status = 422,
): { loc: (string | number)[]; msg: string; type: string }[] {
  expect(response.status, response.text).toBe(status);
  expect(response.headers['content-type']).toMatch(/json/);
  expect(Array.isArray(response.body?.detail), response.text).toBe(true);
  for (const issue of response.body.detail) {
    expect(issue).toEqual(
      expect.objectContaining({ loc: expect.any(Array), msg: expect.any(String), type: expect.any(String) }),
    );
  }
  expect(response.body.detail.length).toBeGreaterThan(0);
  return response.body.detail;
}

/** ElizaOS's envelope: `{success: false, error: {code, message, details}}`; returns the error. */
export function expectElizaError(
  response: HttpResponse,
  status: number,
): { code: string; message: string; details: string } {
  expect(response.status, response.text).toBe(status);
  expect(response.body, response.text).toEqual({
    success: false,
    error: { code: expect.any(String), message: expect.any(String), details: expect.any(String) },
  });
  return response.body.error;
}

/** A field location as FastAPI reports it, e.g. "body.recall_options.limit". */
export const locs = (issues: { loc: (string | number)[] }[]) => issues.map((issue) => issue.loc.join('.'));
