/**
 * 10,000 malformed requests of every kind a broken or hostile client sends, at bounded concurrency:
 * each gets a 4xx in its API's error shape, never a 5xx, the mock keeps serving, and the state
 * created before the flood is exactly as it was.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningMock } from '../../src/mock/server.js';
import { postJson } from '../helpers/http.js';
import { DEMO_AGENT_ID, featherKey, julepKey, PATHS, startBundledMock } from '../helpers/mock.js';
import { bounded, rawRequest, type RawOutcome, type RawRequest } from './raw-http.js';

const TOTAL = 10_000;
const CONCURRENCY = 64;
const KEY = 'flood-owner';
const _ADMIN = { 'x-parley-admin-token': 'flood-admin' };
const TEN_MB = 10 * 1024 * 1024;

type Api = 'feather' | 'julep' | 'eliza';
/** `api` is undefined for requests Node rejects before any routing (no API to answer for). */
interface Case {
  kind: string;
  api: Api | undefined;
  request: RawRequest;
  /** A connection cut by the client itself may end without an answer. */
  answerOptional?: boolean;
  check?: (outcome: RawOutcome) => void;
}

let mock: RunningMock;
let sessionId: string;

const credentials: Record<Api, string> = {
  feather: `x-api-key: ${KEY}\r\n`,
  julep: `Authorization: Bearer ${KEY}\r\n`,
  eliza: '',
};

function validBody(api: Api): Record<string, unknown> {
  if (api === 'feather') return { content: 'hello' };
  if (api === 'julep') return { agent: DEMO_AGENT_ID, situation: 'flood', metadata: { platform: 'flood' } };
  return { agentId: DEMO_AGENT_ID, userId: DEMO_AGENT_ID, metadata: { platform: 'flood' } };
}

function pathOf(api: Api): string {
  return api === 'feather'
    ? PATHS.featherMessages(sessionId)
    : api === 'julep'
      ? PATHS.julepSessions
      : PATHS.elizaSessions;
}

/** `contentType` null sends none. */
function post(
  api: Api,
  body: Buffer | string,
  contentType: string | null = 'application/json',
  extraHeaders = '',
): RawRequest {
  const length = Buffer.byteLength(body);
  const type = contentType === null ? '' : `Content-Type: ${contentType}\r\n`;
  return {
    head: `POST ${pathOf(api)} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n${credentials[api]}${type}Content-Length: ${length}\r\n${extraHeaders}\r\n`,
    body,
  };
}

const INVALID_JSON = [
  '{',
  '{"content": }',
  '{"content": "a",}',
  'nul',
  "{'content': 'a'}",
  '[1, 2',
  '{"a":1}{"b":2}',
  'NaN',
  '"unterminated',
  '{"content": "x"',
];
const WRONG_TYPES = [
  'text/plain',
  'application/xml',
  'multipart/form-data; boundary=x',
  'application/x-www-form-urlencoded',
  null,
  'application/jsonx',
  'json',
];
const UNKNOWN_PATHS = [
  '/nope',
  '/v1/ask-feather/sessions/a/b/c',
  '/sessions/abc',
  '/api/messaging/nope',
  '/%ff',
  '/v1/ask-feather',
  '/v1/ask-feather/sessions/%zz/messages/x',
  '/api//messaging/sessions',
];
const KNOWN_PATHS = [PATHS.featherSessions, PATHS.julepSessions, PATHS.elizaSessions, PATHS.featherConversations];
const WRONG_METHODS = ['GET', 'PUT', 'DELETE', 'PATCH', 'PROPFIND', 'OPTIONS'];
const BAD_REQUEST_LINES = [
  'FOO / HTTP/1.1\r\nHost: x\r\n\r\n',
  'GET http://[ HTTP/1.1\r\nHost: x\r\n\r\n',
  'GET /a b c HTTP/1.1\r\nHost: x\r\n\r\n',
  'POST /sessions HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n',
  'POST /sessions HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
  'GET /\x01 HTTP/1.1\r\nHost: x\r\n\r\n',
  'GET / HTTP/9.9\r\nHost: x\r\n\r\n',
  'NOT HTTP AT ALL\r\n\r\n',
  'GET / HTTP/1.1\r\nBad Header Name: x\r\n\r\n',
];

/** Case `index` of the flood: ten kinds in turn, each varied by the index. */
function caseFor(index: number): Case {
  const api = (['feather', 'julep', 'eliza'] as const)[index % 3];
  const variant = Math.floor(index / 10);
  const body = JSON.stringify(validBody(api));
  switch (index % 10) {
    case 0:
      return { kind: 'invalid JSON', api, request: post(api, INVALID_JSON[variant % INVALID_JSON.length]) };
    case 1: {
      if (variant % 100 === 7) {
        // The client promises more body than it sends and hangs up: Node's parser answers, if anyone.
        const { head } = post(api, body);
        return {
          kind: 'truncated then closed',
          api: undefined,
          answerOptional: true,
          request: {
            head: head.replace(/Content-Length: \d+/, 'Content-Length: 500'),
            body: body.slice(0, 10),
            endAfterWrite: true,
          },
        };
      }
      if (variant % 100 === 57) {
        // ... or stalls: the request timeout answers 408.
        const { head } = post(api, body);
        return {
          kind: 'truncated then stalled',
          api: undefined,
          request: { head: head.replace(/Content-Length: \d+/, 'Content-Length: 500'), body: body.slice(0, 10) },
        };
      }
      return { kind: 'truncated JSON', api, request: post(api, body.slice(0, 1 + (variant % (body.length - 1)))) };
    }
    case 2:
      return {
        kind: 'invalid UTF-8',
        api,
        request: post(
          api,
          Buffer.concat([
            Buffer.from('{"content": "'),
            Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0x80 + (variant % 64)]),
            Buffer.from('"}'),
          ]),
        ),
      };
    case 3: {
      if (variant % 100 === 3) {
        // A real 10 MB chunked body: no Content-Length to refuse up front, the reader must stop at the limit.
        const chunk = Buffer.alloc(TEN_MB, 'a');
        const head = `POST ${pathOf(api)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n${credentials[api]}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`;
        return {
          kind: '10 MB chunked body',
          api,
          request: {
            head,
            body: Buffer.concat([Buffer.from(`${TEN_MB.toString(16)}\r\n`), chunk, Buffer.from('\r\n0\r\n\r\n')]),
          },
        };
      }
      const { head } = post(api, '');
      return {
        kind: '10 MB declared body',
        api,
        request: {
          head: head.replace('Content-Length: 0', `Content-Length: ${TEN_MB}`),
          body: Buffer.alloc(64 * 1024, '['),
        },
      };
    }
    case 4: {
      const depth = 1000 + (variant % 50);
      const deep = `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
      const payload =
        api === 'feather'
          ? `{"content": "x", "workflow": ${'['.repeat(depth)}${']'.repeat(depth)}}`
          : body.replace('{"platform":"flood"}', deep);
      return { kind: '1,000-deep nesting', api, request: post(api, payload) };
    }
    case 5:
      return { kind: 'wrong content type', api, request: post(api, body, WRONG_TYPES[variant % WRONG_TYPES.length]) };
    case 6:
      return {
        kind: 'huge headers',
        api: undefined,
        request: post(api, body, 'application/json', `X-Big: ${'h'.repeat(17 * 1024 + variant)}\r\n`),
      };
    case 7: {
      const path = UNKNOWN_PATHS[variant % UNKNOWN_PATHS.length];
      const apiOfPath: Api = path.startsWith('/v1')
        ? 'feather'
        : path.startsWith('/api')
          ? 'eliza'
          : path.startsWith('/sessions')
            ? 'julep'
            : api;
      return {
        kind: 'unknown path',
        api: path.startsWith('/%') || path === '/nope' ? undefined : apiOfPath,
        request: {
          head: `POST ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n`,
          body: '{}',
        },
      };
    }
    case 8: {
      const path = KNOWN_PATHS[variant % KNOWN_PATHS.length];
      const method = WRONG_METHODS[variant % WRONG_METHODS.length];
      return {
        kind: 'wrong method',
        api: path.startsWith('/v1') ? 'feather' : path.startsWith('/api') ? 'eliza' : 'julep',
        request: { head: `${method} ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n${credentials[api]}\r\n` },
        check: ({ response }) => {
          expect(response!.status).toBe(405);
          expect(response!.headers.allow).toBe('POST');
        },
      };
    }
    default:
      return {
        kind: 'bad request line or framing',
        api: undefined,
        request: { head: BAD_REQUEST_LINES[variant % BAD_REQUEST_LINES.length] },
      };
  }
}

/** The error shapes each API documents; `undefined` (no API yet) may use any of them. */
const SHAPES: Record<Api | 'any', ((body: any) => boolean)[]> = {
  feather: [
    (b) => Array.isArray(b?.detail) || typeof b?.detail === 'string',
    (b) => typeof b?.error === 'string' && typeof b?.message === 'string',
  ],
  julep: [(b) => Array.isArray(b?.detail) || typeof b?.detail === 'string'],
  eliza: [(b) => b?.success === false && typeof b?.error?.code === 'string' && typeof b?.error?.message === 'string'],
  any: [
    (b) => typeof b?.error === 'string' && typeof b?.message === 'string',
    (b) => typeof b?.title === 'string' && typeof b?.status === 'number',
  ],
};

beforeAll(async () => {
  mock = await startBundledMock({ adminToken: 'flood-admin', requestTimeoutMs: 2_000, headersTimeoutMs: 1_000 });
  const session = await postJson(mock.url, PATHS.featherSessions, { title: 'before the flood' }, featherKey(KEY));
  sessionId = session.body.id;
  for (const content of ['one', 'two'])
    await postJson(mock.url, PATHS.featherMessages(sessionId), { content }, featherKey(KEY));
  await postJson(
    mock.url,
    PATHS.featherConversations,
    { end_user_id: DEMO_AGENT_ID, assistant_id: DEMO_AGENT_ID },
    featherKey(KEY),
  );
  await postJson(mock.url, PATHS.julepSessions, { agent: DEMO_AGENT_ID }, julepKey(KEY));
  await postJson(mock.url, PATHS.elizaSessions, { agentId: DEMO_AGENT_ID, userId: DEMO_AGENT_ID });
});

afterAll(() => mock?.close());

describe('a flood of malformed requests', () => {
  it(`${TOTAL} requests of ten malformed kinds: all 4xx in the API's shape, no 5xx, state intact`, {
    timeout: 120_000,
  }, async () => {
    const before = JSON.stringify(mock.app.parts.store.snapshot());
    expect(mock.app.parts.store.size).toBe(4);

    const started = performance.now();
    const cases = Array.from({ length: TOTAL }, (_, index) => caseFor(index));
    const outcomes = await bounded(TOTAL, CONCURRENCY, (index) => rawRequest(mock.port, cases[index].request));
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `flood: ${TOTAL} malformed requests in ${seconds.toFixed(1)} s (${Math.round(TOTAL / seconds)} requests/s, ${CONCURRENCY} at a time)`,
    );

    const failures: string[] = [];
    const byKind = new Map<string, Map<number | string, number>>();
    outcomes.forEach((outcome, index) => {
      const { kind, api, answerOptional, check } = cases[index];
      const tally = byKind.get(kind) ?? new Map();
      byKind.set(kind, tally);
      const status = outcome.response?.status ?? outcome.error!;
      tally.set(status, (tally.get(status) ?? 0) + 1);
      const { response } = outcome;
      try {
        if (!response) {
          expect(answerOptional, `${kind} #${index}: no answer (${outcome.error})`).toBe(true);
          return;
        }
        expect(response.status, `${kind} #${index}: ${response.text.slice(0, 300)}`).toBeGreaterThanOrEqual(400);
        expect(response.status, `${kind} #${index}: ${response.text.slice(0, 300)}`).toBeLessThan(500);
        expect(response.headers['content-type'], `${kind} #${index}`).toMatch(/json/);
        const shapes = api ? SHAPES[api] : [...SHAPES.any, ...SHAPES.feather, ...SHAPES.eliza];
        expect(
          shapes.some((shape) => shape(response.body)),
          `${kind} #${index} (${api}): ${response.text.slice(0, 300)}`,
        ).toBe(true);
        check?.(outcome);
      } catch (error) {
        failures.push((error as Error).message.split('\n')[0]);
      }
    });
    console.log(Object.fromEntries([...byKind].map(([kind, tally]) => [kind, Object.fromEntries(tally)])));
    expect(failures.slice(0, 20)).toEqual([]);

    // Nothing a malformed request did reached the state.
    expect(JSON.stringify(mock.app.parts.store.snapshot())).toBe(before);
    // And the mock still serves.
    const after = await postJson(mock.url, PATHS.featherMessages(sessionId), { content: 'after' }, featherKey(KEY));
    expect(after.status).toBe(200);
    expect(mock.app.parts.store.get(KEY, 'feather.sessions', sessionId)?.messages).toHaveLength(6);
  });
});
