/**
 * The benchmark workloads: one valid request each, sent unchanged to every target.
 * Prism validates requests as parley does, so bodies and credentials are valid for both.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const API_KEY = 'bench-key';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const featherHeaders = { 'content-type': 'application/json', 'x-api-key': API_KEY };
const julepHeaders = { 'content-type': 'application/json', authorization: `Bearer ${API_KEY}` };

/**
 * @typedef {{ method: string, path: string, headers: Record<string, string>, body?: string }} BenchRequest
 * @typedef {(request: BenchRequest) => Promise<any>} Sender sends a request, gives its parsed JSON answer
 * @typedef {{ name: string, specFile: string, prepare(url: string, sender?: Sender): Promise<BenchRequest> }} Workload
 *   `sender`: how requests made to prepare reach the target (default: fetch to `url`).
 */

/** @type {BenchRequest} */
const createFeatherSession = {
  method: 'POST',
  path: '/v1/ask-feather/sessions',
  headers: featherHeaders,
  body: JSON.stringify({ title: 'Benchmark session' }),
};

/** @type {Workload[]} */
export const WORKLOADS = [
  {
    name: 'Feather create-session',
    specFile: path.join(root, 'specs/feather.yaml'),
    prepare: async () => createFeatherSession,
  },
  {
    name: 'Feather send-message',
    specFile: path.join(root, 'specs/feather.yaml'),
    // Messages go to one existing session, created first on the same target.
    prepare: async (url, sender = (request) => send(url, request)) => {
      const created = await sender(createFeatherSession);
      const sessionId = UUID.test(created?.id ?? '') ? created.id : randomUUID();
      return {
        method: 'POST',
        path: `/v1/ask-feather/sessions/${sessionId}/messages`,
        headers: featherHeaders,
        body: JSON.stringify({ content: 'Summarise the last quarter in three bullet points.', workflow: null }),
      };
    },
  },
  {
    name: 'Julep create-session',
    specFile: path.join(root, 'specs/julep.yaml'),
    prepare: async () => ({
      method: 'POST',
      path: '/sessions',
      headers: julepHeaders,
      body: JSON.stringify({
        agent: '2f1d7b6e-1c4a-4f3e-9b8a-0d6c5e4f3a21',
        user: '8a7b6c5d-4e3f-4a2b-9c1d-0e9f8a7b6c5d',
        situation: 'A benchmark conversation',
        token_budget: 4096,
        metadata: { source: 'bench' },
      }),
    }),
  },
];

/** Sends one request and returns its parsed JSON body (or undefined); throws on a non-2xx answer. */
export async function send(url, request) {
  const response = await fetch(url + request.path, {
    method: request.method,
    headers: request.headers,
    body: request.body,
  });
  const text = await response.text();
  if (!response.ok)
    throw new Error(`${request.method} ${request.path} answered ${response.status}: ${text.slice(0, 300)}`);
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

/** The exact status and body a target answers for a request, for the bare server to replay. */
export async function capture(url, request) {
  const response = await fetch(url + request.path, {
    method: request.method,
    headers: request.headers,
    body: request.body,
  });
  return { status: response.status, body: await response.text() };
}
