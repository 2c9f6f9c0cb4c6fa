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
      if (size === 0) return settle({ kind: 'empty' });
      try {
        // A small body arrives as one chunk: decode it without copying.
        settle({ kind: 'ok', text: decoder.decode(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size)) });
      } catch {
        settle({ kind: 'invalid-utf8' });
      }
    });
    request.on('error', () => settle({ kind: 'aborted' }));
    request.on('close', () => settle({ kind: 'aborted' }));
  });
}

/** Accepts application/json and any +json type, parameters ignored. */
export function isJsonMediaType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  if (contentType === 'application/json') return true;
  const type = contentType.split(';')[0].trim().toLowerCase();
  return type === 'application/json' || type.endsWith('+json');
}
