/**
 * Reads a request body with a size limit: decoded as strict UTF-8 text, or, for multipart/form-data,
 * split into its parts (by undici's FormData parser, the one Fetch uses).
 */
import type { IncomingMessage } from 'node:http';
import { Response } from 'undici';

/** A file part of a multipart body: its name and size, not its bytes. */
export interface FilePart {
  filename: string;
  size: number;
  type: string;
}

export type BodyResult =
  | { kind: 'empty' }
  | { kind: 'ok'; text: string }
  | { kind: 'multipart'; parts: [string, string | FilePart][] }
  | { kind: 'malformed-multipart'; message: string }
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
    let ended = false;
    request.on('end', () => {
      ended = true;
      if (size === 0) return settle({ kind: 'empty' });
      // A small body arrives as one chunk: decode it without copying.
      const bytes = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size);
      const contentType = request.headers['content-type'];
      if (contentType !== undefined && /^\s*multipart\/form-data/i.test(contentType)) {
        return void multipartParts(bytes, contentType).then(settle);
      }
      try {
        settle({ kind: 'ok', text: decoder.decode(bytes) });
      } catch {
        settle({ kind: 'invalid-utf8' });
      }
    });
    request.on('error', () => settle({ kind: 'aborted' }));
    // 'close' follows 'end' at once; only a close before the end is an abort (a multipart body is still being parsed then).
    request.on('close', () => {
      if (!ended) settle({ kind: 'aborted' });
    });
  });
}

async function multipartParts(bytes: Buffer, contentType: string): Promise<BodyResult> {
  try {
    const form = await new Response(bytes, { headers: { 'content-type': contentType } }).formData();
    const parts: [string, string | FilePart][] = [];
    for (const [name, value] of form) {
      parts.push([name, typeof value === 'string' ? value : { filename: value.name, size: value.size, type: value.type }]);
    }
    return { kind: 'multipart', parts };
  } catch (error) {
    return { kind: 'malformed-multipart', message: `The multipart body could not be read: ${(error as Error).message}` };
  }
}
