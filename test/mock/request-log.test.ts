/** The request log's details, kept as bytes out of the heap: what goes in comes back, within a bound in bytes. */
import { describe, expect, it } from 'vitest';
import { type LoggedDetail, MAX_LOGGED_BODY_CHARS, RequestLog } from '../../src/mock/request-log.js';

const summary = (path: string) => ({
  at: Date.now(),
  tenant: 'key-a',
  method: 'POST',
  path,
  operationId: 'create',
  status: 201,
  durationMs: 0.5,
});

const detail = (requestBody: string | undefined, responseBody: string | Uint8Array = '{}'): LoggedDetail => ({
  requestHeaders: { 'content-type': 'application/json', 'x-api-key': 'key-a' },
  requestBody,
  responseHeaders: { 'Content-Type': 'application/json', 'Content-Length': 2 },
  responseBody,
  issues: undefined,
});

describe('RequestLog detail', () => {
  it('gives back headers, bodies and issues exactly as logged', () => {
    const log = new RequestLog(10);
    const issues = [{ loc: ['body', 'title'], msg: 'must be string', type: 'type', input: 7 }];
    log.add(summary('/a'), {
      requestHeaders: { 'x-api-key': 'clé ☃', 'set-cookie': ['a=1', 'b=2'], 'x-empty': '', 'x-gone': undefined },
      requestBody: '{"title":"naïve 🚀 \\u0000\\n"}',
      responseHeaders: { 'Content-Type': 'application/json', 'Content-Length': 42, Vary: 'Origin' },
      responseBody: '{"ok":true}',
      issues,
    });
    log.add(summary('/b'), detail(undefined, new Uint8Array(7)));
    const [first, second] = log.list();
    expect(log.find(first.id)?.detail).toEqual({
      requestHeaders: { 'x-api-key': 'clé ☃', 'set-cookie': ['a=1', 'b=2'], 'x-empty': '', 'x-gone': undefined },
      requestBody: '{"title":"naïve 🚀 \\u0000\\n"}',
      responseHeaders: { 'Content-Type': 'application/json', 'Content-Length': 42, Vary: 'Origin' },
      responseBody: '{"ok":true}',
      issues,
    });
    expect(log.find(second.id)?.detail).toMatchObject({ requestBody: undefined, responseBody: '(7 bytes)' });
  });

  it('cuts bodies at the documented length', () => {
    const log = new RequestLog(10);
    log.add(summary('/long'), detail('x'.repeat(MAX_LOGGED_BODY_CHARS + 100)));
    const body = log.find(log.list()[0].id)?.detail?.requestBody ?? '';
    expect(body.startsWith('x'.repeat(MAX_LOGGED_BODY_CHARS))).toBe(true);
    expect(body).toContain(`cut at ${MAX_LOGGED_BODY_CHARS} characters`);
  });

  it('keeps the detail of every entry it holds while reusing the bytes of entries it dropped', () => {
    const log = new RequestLog(5);
    // 300 entries of ~16 KiB: about 5 MiB written in all, through 1 MiB chunks.
    for (let index = 0; index < 300; index++)
      log.add(summary(`/n/${index}`), detail(`${index}:${'a'.repeat(MAX_LOGGED_BODY_CHARS)}`, 'b'.repeat(8000)));
    const kept = log.list();
    expect(kept.map((entry) => entry.path)).toEqual(['/n/295', '/n/296', '/n/297', '/n/298', '/n/299']);
    for (const [offset, entry] of kept.entries())
      expect(log.find(entry.id)?.detail?.requestBody?.startsWith(`${295 + offset}:aaa`)).toBe(true);
    expect(log.detailBytes).toBeLessThanOrEqual(2 * 1024 * 1024);
  });

  it('stays within its bound in bytes, dropping the oldest details first when bodies are large', () => {
    const log = new RequestLog(100);
    // Three-byte characters: each entry near 48 KiB, above the 32 KiB per entry the log budgets.
    const wide = '☃'.repeat(MAX_LOGGED_BODY_CHARS);
    for (let index = 0; index < 100; index++) log.add(summary(`/w/${index}`), detail(wide, wide));
    const kept = log.list();
    expect(kept).toHaveLength(100);
    expect(log.detailBytes).toBeLessThanOrEqual(100 * 32 * 1024);
    expect(log.find(kept[0].id)?.detail).toBeUndefined();
    expect(log.find(kept[99].id)?.detail?.responseBody.startsWith('☃☃☃')).toBe(true);
    // Whatever is still there is whole, never another entry's bytes.
    for (const entry of kept) {
      const found = log.find(entry.id)?.detail;
      if (found) expect(found.requestBody?.startsWith(wide)).toBe(true);
    }
  });

  it('keeps no detail for an entry whose detail alone is past a chunk, and the others whole', () => {
    const log = new RequestLog(10);
    log.add(summary('/before'), detail('before'));
    log.add(summary('/huge'), {
      ...detail('{}'),
      issues: [{ loc: ['body', 'text'], msg: 'too long', type: 'string_too_long', input: 'z'.repeat(2_000_000) }],
    });
    log.add(summary('/after'), detail('after'));
    const [before, huge, after] = log.list();
    expect(log.find(huge.id)).toMatchObject({ path: '/huge', detail: undefined });
    expect(log.find(before.id)?.detail?.requestBody).toBe('before');
    expect(log.find(after.id)?.detail?.requestBody).toBe('after');
  });
});
