/**
 * Generic CRUD on specs shaped like real ones: keys generated to the key's schema (integers,
 * patterns), records found by their natural key (`/user/{username}`), creates told apart from
 * searches and actions, writeOnly fields never echoed, and an operation documenting only an error
 * answering that error. Through HTTP, each answer checked against the spec.
 */
import { describe, expect, it } from 'vitest';
import { checkedMock } from '../helpers/conformance.js';
import { send, type HttpResponse } from '../helpers/http.js';
import { ROOT } from '../helpers/mock.js';

const SPEC = `${ROOT}test/fixtures/real-world-defects/keys-3.0.yaml`;

describe('generic CRUD keys: test/fixtures/real-world-defects/keys-3.0.yaml', () => {
  const mock = checkedMock([SPEC]);
  const call = (method: string, path: string, json?: unknown): Promise<HttpResponse> =>
    mock.call(method, path, json === undefined ? {} : { json });

  it('integer ids: created pets get distinct integers, and GET /pets/{petId} finds each', async () => {
    const first = await call('POST', '/pets', { name: 'Rex' });
    const second = await call('POST', '/pets', { name: 'Tom' });
    expect(first.status).toBe(201);
    expect(Number.isInteger(first.body.id)).toBe(true);
    expect(second.body.id).not.toBe(first.body.id);
    const read = await call('GET', `/pets/${second.body.id}`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual({ id: second.body.id, name: 'Tom' });
  });

  it("a readOnly id sent by the client is the server's to choose: ignored, and the record gets its own", async () => {
    const created = await call('POST', '/pets', { name: 'Sly', id: 424242 });
    expect(created.status).toBe(201);
    expect(created.body.id).not.toBe(424242);
    expect((await call('GET', `/pets/${created.body.id}`)).body.name).toBe('Sly');
  });

  it('patterned ids: a created order id matches ^ord_…$ and the GET that follows finds it', async () => {
    const created = await call('POST', '/orders', { amount: 5 });
    expect(created.status).toBe(200);
    expect(created.body.id).toMatch(/^ord_[a-zA-Z0-9]{12}$/);
    const read = await call('GET', `/orders/${created.body.id}`);
    expect(read.status, read.text).toBe(200);
    expect(read.body.amount).toBe(5);
  });

  it('natural keys: a user created by POST /user is found at /user/{username}, its password never echoed', async () => {
    const created = await call('POST', '/user', { username: 'ada', email: 'ada@example.com', password: 's3cret' });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ username: 'ada', email: 'ada@example.com' });
    const read = await call('GET', '/user/ada');
    expect(read.status, read.text).toBe(200);
    expect(read.body.email).toBe('ada@example.com');
    expect(read.text).not.toContain('s3cret');
  });

  it('a POST that is a search stores nothing and answers the documented list', async () => {
    await call('POST', '/pets', { name: 'Kept' });
    const found = await call('POST', '/pets/search', { name: 'x' });
    expect(found.status).toBe(200);
    expect(Array.isArray(found.body)).toBe(true);
    // A search is no create: nothing was stored under /pets/search, and the stored pet is still there
    const state = await send(mock.url, 'GET', '/__parley/state');
    expect(state.status).toBe(200);
    expect(state.text).toContain('Kept');
    expect(state.text).not.toContain('/pets/search');
  });

  it('an operation that documents only a 401 answers that 401 in its documented shape, never an invented 201', async () => {
    const answer = await call('POST', '/admin/reindex');
    expect(answer.status).toBe(401);
    expect(answer.body).toMatchObject({ code: expect.any(Number), message: expect.any(String) });
  });
});
