/**
 * Request bodies in every media type a spec documents: forms with nested fields read back as the
 * schema's types, multipart parts (a file among them), text; a Content-Type the operation does not
 * document is refused with the ones it does. Through HTTP.
 */
import { describe, expect, it } from 'vitest';
import { checkedMock } from '../helpers/conformance.js';
import { send } from '../helpers/http.js';
import { ROOT } from '../helpers/mock.js';

const SPEC = `${ROOT}test/fixtures/real-world-defects/forms-3.0.yaml`;
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

describe('request media types', () => {
  const mock = checkedMock([SPEC]);
  const call = mock.call;

  it('a form body with nested fields is validated in its types, stored and read back', async () => {
    const raw =
      'email=ada%40example.com&balance=250&tax_exempt=true&preferred_locales[0]=en&preferred_locales[1]=fr&metadata[plan]=pro';
    const created = await call('POST', '/v1/customers', { raw, headers: FORM });
    expect(created.status, created.text).toBe(200);
    expect(created.body).toMatchObject({
      email: 'ada@example.com',
      balance: 250,
      tax_exempt: true,
      preferred_locales: ['en', 'fr'],
      metadata: { plan: 'pro' },
    });
    const read = await call('GET', `/v1/customers/${created.body.id}`, {});
    expect(read.status).toBe(200);
    expect(read.body.balance).toBe(250);
  });

  it('a form value that is not its type is a validation error naming the field', async () => {
    const invalid = await send(mock.url, 'POST', '/v1/customers', {
      raw: 'email=ada%40example.com&balance=lots',
      headers: FORM,
    });
    expect(invalid.status).toBe(422);
    expect(invalid.text).toContain('balance');
    const unknown = await send(mock.url, 'POST', '/v1/customers', {
      raw: 'email=ada%40example.com&__proto__[polluted]=1&nickname=x',
      headers: FORM,
    });
    expect(unknown.status).toBe(422);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('JSON sent to a form-only operation is refused with the type it takes, not a contradiction', async () => {
    const refused = await send(mock.url, 'POST', '/v1/customers', { json: { email: 'ada@example.com' } });
    expect(refused.status).toBe(415);
    expect(refused.text).toContain(
      'application/json is not one this operation takes; send application/x-www-form-urlencoded',
    );
  });

  it('multipart parts with a file are read, and an object part is its JSON', async () => {
    const form = new FormData();
    form.append('purpose', 'avatar');
    form.append(
      'file',
      new Blob([new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0xff, 0x00])], { type: 'image/png' }),
      'me.png',
    );
    form.append('tags', 'a');
    form.append('tags', 'b');
    form.append('options', JSON.stringify({ public: true }));
    const encoded = new Response(form);
    const raw = Buffer.from(await encoded.arrayBuffer());
    const stored = await call('POST', '/uploads', {
      raw,
      headers: { 'content-type': encoded.headers.get('content-type')! },
    });
    expect(stored.status, stored.text).toBe(201);
    expect(stored.body).toMatchObject({
      purpose: 'avatar',
      file: 'me.png',
      tags: ['a', 'b'],
      options: { public: true },
    });
    const missing = await send(mock.url, 'POST', '/uploads', {
      raw: '--x\r\ncontent-disposition: form-data; name="purpose"\r\n\r\navatar\r\n--x--\r\n',
      headers: { 'content-type': 'multipart/form-data; boundary=x' },
    });
    expect(missing.status).toBe(422);
    expect(missing.text).toContain('file');
  });

  it('a text/plain body is checked as the string it is', async () => {
    expect(
      (await send(mock.url, 'POST', '/notes', { raw: 'remember the milk', headers: { 'content-type': 'text/plain' } }))
        .status,
    ).toBe(204);
    expect(
      (
        await send(mock.url, 'POST', '/notes', {
          raw: 'x'.repeat(101),
          headers: { 'content-type': 'text/plain; charset=utf-8' },
        })
      ).status,
    ).toBe(422);
  });
});
