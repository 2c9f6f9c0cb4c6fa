/**
 * Reads one response through undici's dispatch handler interface: status, headers and the body up
 * to a byte cap, under a deadline. Cheaper per request than `pool.request()` (no Readable stream, no
 * AbortSignal per request), which matters when the harness itself is the limit of a run.
 */
import type { Dispatcher } from 'undici';

/** A body past the cap: the answer is a transport failure naming the cap. */
export class ResponseTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`the response body is larger than ${limit} bytes (--max-response-size); the connection was dropped`);
  }
}

/** No complete response before the deadline (named like the error of AbortSignal.timeout). */
export class ResponseTimeoutError extends Error {
  override name = 'TimeoutError';
}

export interface RawResponse {
  status: number;
  /** Lower-case names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  text: string;
}

/**
 * Dispatches a request and resolves with its response, or rejects with the transport error (a
 * ResponseTooLargeError or ResponseTimeoutError among them). Past the cap or the deadline the request
 * is aborted, so undici drops the connection instead of reading on.
 */
export function readResponse(
  dispatcher: Dispatcher,
  options: Dispatcher.DispatchOptions,
  limits: { maxBytes: number; timeoutMs: number },
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    let abort: ((reason: Error) => void) | undefined;
    let failure: Error | undefined;
    let status = 0;
    let headers: Record<string, string> = {};
    const chunks: Buffer[] = [];
    let size = 0;
    const fail = (error: Error) => {
      failure ??= error;
      abort?.(failure);
    };
    // The deadline runs from the call, time waiting for a free connection included.
    const timer = setTimeout(
      () => fail(new ResponseTimeoutError(`no response within ${limits.timeoutMs} ms`)),
      limits.timeoutMs,
    );
    const handler: Dispatcher.DispatchHandler = {
      onConnect(abortRequest) {
        abort = abortRequest;
        if (failure) abortRequest(failure);
      },
      onHeaders(statusCode, rawHeaders) {
        status = statusCode;
        headers = headerRecord(rawHeaders);
        if (Number(headers['content-length']) > limits.maxBytes) fail(new ResponseTooLargeError(limits.maxBytes));
        return true;
      },
      onData(chunk) {
        size += chunk.length;
        if (size > limits.maxBytes) fail(new ResponseTooLargeError(limits.maxBytes));
        else chunks.push(chunk);
        return true;
      },
      onComplete() {
        clearTimeout(timer);
        if (failure) reject(failure);
        else resolve({ status, headers, text: Buffer.concat(chunks, size).toString('utf8') });
      },
      onError(error) {
        clearTimeout(timer);
        reject(failure ?? error);
      },
    };
    try {
      dispatcher.dispatch(options, handler);
    } catch (error) {
      clearTimeout(timer);
      reject(error);
    }
  });
}

/** Raw header pairs as one record; a name from the target is never taken for a property of the record itself. */
function headerRecord(raw: Buffer[] | string[] | null): Record<string, string> {
  const headers: Record<string, string> = {};
  if (!raw) return headers;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i].toString('latin1').toLowerCase();
    const value = raw[i + 1].toString('latin1');
    const joined = Object.hasOwn(headers, name) ? `${headers[name]}, ${value}` : value;
    if (name === '__proto__')
      Object.defineProperty(headers, name, { value: joined, enumerable: true, writable: true, configurable: true });
    else headers[name] = joined;
  }
  return headers;
}
