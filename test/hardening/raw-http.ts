/** Raw HTTP/1.1 over a socket, for requests no well-behaved client would send. */
import net from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  text: string;
  /** Parsed JSON body, or undefined. */
  body: any;
}

export interface RawOutcome {
  /** Undefined when the connection closed without a complete answer. */
  response?: RawResponse;
  /** How the connection ended when there was no answer (e.g. ECONNRESET). */
  error?: string;
  elapsedMs: number;
}

export interface RawRequest {
  /** Sent first: request line and headers, ending with the blank line (or not, to stall). */
  head: string;
  body?: Buffer | string;
  /** Half-close after writing, as a client that gives up on its body does. */
  endAfterWrite?: boolean;
}

const CRLF2 = Buffer.from('\r\n\r\n');

/** Sends one raw request on a fresh connection and reads until the server closes it. */
export function rawRequest(port: number, request: RawRequest, timeoutMs = 10_000): Promise<RawOutcome> {
  const started = performance.now();
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let done = false;
    const finish = (error?: string) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      const response = parseResponse(Buffer.concat(chunks));
      resolve({
        response,
        error: response ? undefined : (error ?? 'closed without an answer'),
        elapsedMs: performance.now() - started,
      });
    };
    const timer = setTimeout(() => finish('client timeout'), timeoutMs);
    socket.on('data', (chunk) => {
      chunks.push(chunk);
      // Stop as soon as one whole answer is in, whatever the connection does next.
      if (parseResponse(Buffer.concat(chunks))) finish();
    });
    socket.on('error', (error: NodeJS.ErrnoException) => finish(error.code ?? error.message));
    socket.on('close', () => finish());
    socket.on('connect', () => {
      socket.write(request.head);
      if (request.body !== undefined) socket.write(request.body);
      if (request.endAfterWrite) socket.end();
    });
  });
}

/** A complete response with a Content-Length body (all the mock sends), or undefined. */
export function parseResponse(data: Buffer): RawResponse | undefined {
  return readResponse(data)?.response;
}

/** Every complete response in `data`, in order: the answers to pipelined requests. */
export function parseResponses(data: Buffer): RawResponse[] {
  const responses: RawResponse[] = [];
  let rest = data;
  for (let next = readResponse(rest); next; next = readResponse(rest)) {
    responses.push(next.response);
    rest = rest.subarray(next.length);
  }
  return responses;
}

function readResponse(data: Buffer): { response: RawResponse; length: number } | undefined {
  const end = data.indexOf(CRLF2);
  if (end < 0) return undefined;
  const [statusLine, ...lines] = data.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1]);
  if (!status) return undefined;
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const length = Number(headers['content-length'] ?? 0);
  if (data.length < end + 4 + length) return undefined;
  const text = data.subarray(end + 4, end + 4 + length).toString('utf8');
  let body: any;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return { response: { status, headers, text, body }, length: end + 4 + length };
}

/** Runs `count` tasks with at most `concurrency` in flight; results in task order. */
export async function bounded<T>(
  count: number,
  concurrency: number,
  task: (index: number) => Promise<T>,
): Promise<T[]> {
  const results = new Array<T>(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      results[index] = await task(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return results;
}
