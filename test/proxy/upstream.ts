/** A scripted upstream for the proxy: answers what each test tells it and remembers exactly what it received. */
import { createHash } from 'node:crypto';
import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  rawHeaders: string[];
  body: Buffer;
  bodySha256: string;
  bodyBytes: number;
}

export type Script = (received: Received, response: http.ServerResponse) => void;

export interface ScriptedUpstream {
  url: string;
  received: Received[];
  script: Script;
  close(): Promise<void>;
}

/** Bodies past this are hashed and counted, not kept. */
const KEEP_BYTES = 1024 * 1024;

export async function startScriptedUpstream(script: Script): Promise<ScriptedUpstream> {
  const upstream: ScriptedUpstream = { url: '', received: [], script, close: async () => undefined };
  const server = http.createServer((request, response) => {
    const hash = createHash('sha256');
    const kept: Buffer[] = [];
    let bytes = 0;
    request.on('data', (chunk: Buffer) => {
      hash.update(chunk);
      if (bytes < KEEP_BYTES) kept.push(chunk);
      bytes += chunk.length;
    });
    request.on('end', () => {
      const received: Received = {
        method: request.method ?? '',
        url: request.url ?? '',
        headers: request.headers,
        rawHeaders: request.rawHeaders,
        body: Buffer.concat(kept),
        bodySha256: hash.digest('hex'),
        bodyBytes: bytes,
      };
      upstream.received.push(received);
      upstream.script(received, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  upstream.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  upstream.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return upstream;
}

export function json(
  response: http.ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string | string[]> = {},
): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  response.end(text);
}
