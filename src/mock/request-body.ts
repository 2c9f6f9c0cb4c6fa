/** Reads a request body with a size limit and decodes it as strict UTF-8 JSON. */
import type { IncomingMessage } from 'node:http';

export type BodyResult =
  | { kind: 'empty' }
  | { kind: 'ok'; text: string }
  | { kind: 'too-large'; limit: number }
  | { kind: 'invalid-utf8' }
  | { kind: 'aborted' };

const decoder = new TextDecoder('utf-8', { fatal: true });

export function readBody(request: IncomingMessage, limit: number): Promise<BodyResult> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    request.resume();
    return Promise.resolve({ kind: 'too-large', limit });
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (result: BodyResult) => {
      if (!settled) {
        settled = true;
        resolve(result);
      }
    };
    request.on('data', (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size > limit) {
        // Stop buffering but keep draining, so the 413 can still be written on this connection.
        settle({ kind: 'too-large', limit });
        chunks.length = 0;
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => {
      if (!settled) settle(decodeBody(chunks, size));
    });
    request.on('error', () => settle({ kind: 'aborted' }));
    request.on('close', () => settle({ kind: 'aborted' }));
  });
}

/** The Fetch twin of `readBody`: reads a `Request`'s stream up to `limit` bytes. */
export async function readFetchBody(request: Request, limit: number): Promise<BodyResult> {
  const declared = Number(request.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > limit) return { kind: 'too-large', limit };
  if (!request.body) return { kind: 'empty' };
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        await reader.cancel().catch(() => undefined);
        return { kind: 'too-large', limit };
      }
      chunks.push(value);
    }
  } catch {
    return { kind: 'aborted' };
  }
  return decodeBody(chunks, size);
}

function decodeBody(chunks: Uint8Array[], size: number): BodyResult {
  if (size === 0) return { kind: 'empty' };
  try {
    // A small body arrives as one chunk: decode it without copying.
    return { kind: 'ok', text: decoder.decode(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size)) };
  } catch {
    return { kind: 'invalid-utf8' };
  }
}

/** Accepts application/json and any +json type, parameters ignored. */
export function isJsonMediaType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  if (contentType === 'application/json') return true;
  const type = contentType.split(';')[0].trim().toLowerCase();
  return type === 'application/json' || type.endsWith('+json');
}
