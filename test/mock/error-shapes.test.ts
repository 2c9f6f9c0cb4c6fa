/**
 * Error bodies in whatever shape the spec documents, not only the four parley knows by name:
 * petstore's `{code, message}` and OpenAI's `{error: {message, type, param, code}}` carry the
 * status, the error's code and its message, and validate against the documented schema.
 */
import { describe, expect, it } from 'vitest';
import { checkedMock } from '../helpers/conformance.js';
import { ROOT } from '../helpers/mock.js';

const SPEC = `${ROOT}test/fixtures/real-world-defects/error-shapes-3.0.yaml`;

describe('documented error schemas of any shape', () => {
  const mock = checkedMock([SPEC]);
  const call = mock.call;

  it("petstore's {code, message}: an unknown pet is a 404 whose code is the status", async () => {
    const missing = await call('GET', '/pets/nope');
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ code: 404, message: expect.stringContaining('nope') });
  });

  it("petstore's {code, message}: a validation failure names the field in its message", async () => {
    const invalid = await call('POST', '/pets', { json: { name: '' } });
    expect(invalid.status).toBe(422); // validation's first choice; the documented `default` covers it
    expect(invalid.body.code).toBe(422);
    expect(invalid.body.message).toContain('name');
  });

  it("OpenAI's {error: {…}}: missing credentials and a bad body answer in the envelope", async () => {
    const unauthenticated = await call('POST', '/chat/completions', { json: { model: 'm' } });
    expect(unauthenticated.status).toBe(401);
    expect(unauthenticated.body.error).toMatchObject({
      message: expect.stringMatching(/authenticat/i),
      type: expect.any(String),
    });
    const invalid = await call('POST', '/chat/completions', { json: {}, headers: { authorization: 'Bearer k' } });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.message).toContain('model');
    expect(invalid.body).not.toHaveProperty('title'); // no RFC 9457 problem details
  });
});
