/**
 * Bad requests get a clear error in the API's own documented shape, never a 500 or a crash:
 * FastAPI's `detail` for Feather and Julep, the `{success: false, error}` envelope for ElizaOS.
 */
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningMock } from '../../src/mock/server.js';
import { getJson, send, type Headers, type HttpResponse } from '../helpers/http.js';
import {
  DEMO_AGENT_ID,
  expectElizaError,
  expectFastApiValidation,
  featherKey,
  julepKey,
  PATHS,
  startBundledMock,
} from '../helpers/mock.js';

const MAX_BODY = 4096;

let mock: RunningMock;
beforeAll(async () => {
  mock = await startBundledMock({ maxBodyBytes: MAX_BODY });
});
afterAll(() => mock?.close());

interface Target {
  api: string;
  path: string;
  headers: Headers;
  validBody: Record<string, unknown>;
  /** Asserts the API's error shape for a client error with this status. */
  expectError(response: HttpResponse, status: number): void;
}

const fastApi = (response: HttpResponse, status: number) => {
  if (status === 422) expectFastApiValidation(response, status);
  else {
    expect(response.status, response.text).toBe(status);
    expect(response.body).toEqual({ detail: expect.any(String) });
  }
};

const TARGETS: Target[] = [
  {
    api: 'Feather',
    path: PATHS.featherSessions,
    headers: featherKey(),
    validBody: { title: 't' },
    expectError: fastApi,
  },
  { api: 'Julep', path: PATHS.julepSessions, headers: julepKey(), validBody: {}, expectError: fastApi },
  {
    api: 'ElizaOS',
    path: PATHS.elizaSessions,
    headers: {},
    validBody: { agentId: DEMO_AGENT_ID, userId: randomUUID() },
    expectError: (response, status) => void expectElizaError(response, status),
  },
];
// Where a FastAPI API reports a validation error, ElizaOS documents 400.
const validationStatus = (target: Target) => (target.api === 'ElizaOS' ? 400 : 422);

for (const target of TARGETS) {
  describe(`${target.api} ${target.path} answers bad bodies in its own shape`, () => {
    const post = (raw: string | Buffer | Readable | undefined, contentType?: string, extra: Headers = {}) =>
      send(mock.url, 'POST', target.path, {
        raw,
        headers: { ...target.headers, ...(contentType ? { 'content-type': contentType } : {}), ...extra },
      });

    it('accepts the valid body (the baseline the other cases break)', async () => {
      const response = await post(JSON.stringify(target.validBody), 'application/json');
      expect(response.status, response.text).toBe(201);
    });

    it('accepts JSON with a charset parameter', async () => {
      const response = await post(JSON.stringify(target.validBody), 'application/json; charset=utf-8');
      expect(response.status, response.text).toBe(201);
    });

    it('malformed JSON', async () => {
      const response = await post('{"title": "unterminated', 'application/json');
      target.expectError(response, validationStatus(target));
      if (target.api !== 'ElizaOS')
        expect(response.body.detail[0]).toMatchObject({ type: 'json_invalid', loc: ['body', expect.any(Number)] });
      else expect(response.body.error.code).toBe('INVALID_JSON');
    });

    it('a JSON body of the wrong type', async () => {
      target.expectError(await post('[1, 2, 3]', 'application/json'), validationStatus(target));
    });

    it('a wrong content-type', async () => {
      const response = await post(JSON.stringify(target.validBody), 'text/plain');
      target.expectError(response, validationStatus(target));
      expect(response.text).toMatch(/application\/json/);
    });

    it('no content-type at all', async () => {
      target.expectError(await post(JSON.stringify(target.validBody)), validationStatus(target));
    });

    it('a missing body', async () => {
      target.expectError(await post(undefined, 'application/json'), validationStatus(target));
    });

    it('a body that is not UTF-8', async () => {
      target.expectError(
        await post(Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]), 'application/json'),
        validationStatus(target),
      );
    });

    it('an oversize body with Content-Length: 413', async () => {
      const response = await post(
        JSON.stringify({ ...target.validBody, padding: 'x'.repeat(MAX_BODY) }),
        'application/json',
      );
      target.expectError(response, 413);
      expect(response.text).toMatch(String(MAX_BODY));
    });

    it('an oversize chunked body: 413', async () => {
      async function* chunks() {
        for (let i = 0; i < 8; i++) yield Buffer.from('x'.repeat(1024));
      }
      // No Content-Length: the limit has to be enforced while reading.
      target.expectError(await post(Readable.from(chunks()), 'application/json'), 413);
    });
  });
}

describe('the server stays up and keeps answering after bad requests', () => {
  it('answers health and a valid request afterwards', async () => {
    expect((await getJson(mock.url, '/__parley/health')).status).toBe(200);
    const response = await send(mock.url, 'POST', PATHS.featherSessions, { json: {}, headers: featherKey() });
    expect(response.status).toBe(201);
  });
});

describe('routing errors use the nearest API shape', () => {
  it('answers 404 for a path no spec has', async () => {
    const response = await getJson(mock.url, '/v1/ask-feather/nowhere', featherKey());
    expect(response.status).toBe(404);
    expect(response.body).toEqual({ detail: expect.any(String) });
  });

  it('answers 405 with Allow for a method the path does not have', async () => {
    const response = await send(mock.url, 'DELETE', PATHS.elizaSessions);
    expect(response.status).toBe(405);
    expect(response.headers.allow).toBe('POST');
    expectElizaError(response, 405);
  });

  it('answers 422 for a path parameter that is not a uuid', async () => {
    const response = await send(mock.url, 'POST', PATHS.featherMessages('12345'), {
      json: { content: 'x' },
      headers: featherKey(),
    });
    expectFastApiValidation(response);
  });
});
