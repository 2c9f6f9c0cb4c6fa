/**
 * Reads a request body with a size limit: decoded as strict UTF-8 text, or, for multipart/form-data,
 * split into its parts (by undici's FormData parser, the one Fetch uses).
 */
import type { IncomingMessage } from 'node:http';
import { Response } from 'undici';
import { scheduleFlush } from './json-reply.js';

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
  // Node's parser hands a body that came in the same read as its headers (as most do) to the stream
  // only after the 'request' event and its promise jobs, but before the loop's check phase: then it
  // is whole in the stream's buffer and taken from there, with no listeners, no flowing stream and
  // no 'end' to wait for. One check per turn looks at every body that turn's reads began.
  return new Promise((resolve) => {
    if (waitingRequests.length === 0) {
      setImmediate(takeArrivedBodies);
      // After the check: the answers its bodies lead to leave in this turn, not the next.
      scheduleFlush();
    }
    waitingRequests.push(request);
    waitingLimits.push(limit);
    waitingResolves.push(resolve);
  });
}

/** Requests whose body is looked at in this turn's check, side by side: no object per request. */
let waitingRequests: IncomingMessage[] = [];
let waitingLimits: number[] = [];
let waitingResolves: ((result: BodyResult | Promise<BodyResult>) => void)[] = [];

function takeArrivedBodies(): void {
  const requests = waitingRequests;
  const limits = waitingLimits;
  const resolves = waitingResolves;
  waitingRequests = [];
  waitingLimits = [];
  waitingResolves = [];
  for (let index = 0; index < requests.length; index++) {
    const request = requests[index];
    try {
      resolves[index](request.complete ? readBuffered(request, limits[index]) : readStreamed(request, limits[index]));
    } catch {
      // Whatever one stream does, the others in the turn still get their bodies.
      resolves[index]({ kind: 'aborted' });
    }
  }
}

/** A body already received whole: everything buffered, as one Buffer. */
function readBuffered(request: IncomingMessage, limit: number): BodyResult | Promise<BodyResult> {
  const size = request.readableLength;
  if (size > limit) {
    request.resume();
    return { kind: 'too-large', limit };
  }
  // With no size, read() hands over all that is buffered (null for nothing) and lets the stream end.
  const bytes: Buffer | null = request.read();
  return decodeBody(bytes ? [bytes] : [], bytes ? bytes.length : 0, request.headers['content-type']);
}

/** A body still arriving: read as it comes, up to `limit` bytes. */
function readStreamed(request: IncomingMessage, limit: number): Promise<BodyResult> {
  // Cut off before this point: its 'close' has already been emitted.
  if (request.destroyed) return Promise.resolve({ kind: 'aborted' });
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
      if (settled) return;
      const decoded = decodeBody(chunks, size, request.headers['content-type']);
      if (decoded instanceof Promise) void decoded.then(settle);
      else settle(decoded);
    });
    request.on('error', () => settle({ kind: 'aborted' }));
    // 'close' follows 'end' at once; only a close before the end is an abort (a multipart body is still being parsed then).
    request.on('close', () => {
      if (!ended) settle({ kind: 'aborted' });
    });
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
  return decodeBody(chunks, size, request.headers.get('content-type') ?? undefined);
}

/** Text for every body but multipart/form-data, which is split into its parts (asynchronously: undici's parser). */
function decodeBody(
  chunks: Uint8Array[],
  size: number,
  contentType: string | undefined,
): BodyResult | Promise<BodyResult> {
  if (size === 0) return { kind: 'empty' };
  if (contentType !== undefined && /^\s*multipart\/form-data/i.test(contentType)) {
    return multipartParts(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size), contentType);
  }
  try {
    // A small body arrives as one chunk: decode it without copying.
    return { kind: 'ok', text: decoder.decode(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size)) };
  } catch {
    return { kind: 'invalid-utf8' };
  }
}

async function multipartParts(bytes: Uint8Array, contentType: string): Promise<BodyResult> {
  try {
    const form = await new Response(bytes, { headers: { 'content-type': contentType } }).formData();
    const parts: [string, string | FilePart][] = [];
    for (const [name, value] of form) {
      parts.push([
        name,
        typeof value === 'string' ? value : { filename: value.name, size: value.size, type: value.type },
      ]);
    }
    return { kind: 'multipart', parts };
  } catch (error) {
    return {
      kind: 'malformed-multipart',
      message: `The multipart body could not be read: ${(error as Error).message}`,
    };
  }
}
