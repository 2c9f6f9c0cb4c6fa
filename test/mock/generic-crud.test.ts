/**
 * Any other OpenAPI file: routes from its paths, validates requests, answers from examples or the
 * schema, and infers CRUD state from the path shape. One 3.0 and one 3.1 spec.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningMock } from '../../src/mock/server.js';
import { ResponseConformance } from '../helpers/conformance.js';
import { getJson, send, type HttpResponse } from '../helpers/http.js';
import { fixtureFile, startSpecMock, UUID } from '../helpers/mock.js';

/** RFC 9457 problem details: the shape a spec gets when it documents none of its own. */
function expectProblem(response: HttpResponse, status: number): void {
  expect(response.status, response.text).toBe(status);
  expect(response.body).toMatchObject({
    type: expect.any(String),
    title: expect.any(String),
    status,
    detail: expect.any(String),
  });
}

describe('OpenAPI 3.0: test/fixtures/crud-3.0.yaml', () => {
  let mock: RunningMock;
  let conformance: ResponseConformance;
  beforeAll(async () => {
    mock = await startSpecMock([fixtureFile('crud-3.0.yaml')]);
    conformance = new ResponseConformance(mock.app);
  });
  afterAll(() => mock?.close());

  /** Sends and checks the answer against the spec's schema for its status. */
  async function call(method: string, path: string, json?: unknown): Promise<HttpResponse> {
    const response = await send(mock.url, method, path, json === undefined ? {} : { json });
    expect(conformance.check(method, path, response).issues, `${method} ${path}: ${response.text}`).toEqual([]);
    return response;
  }

  it('POST on the collection stores the resource and answers 201 with an id', async () => {
    const created = await call('POST', '/pets', { name: 'Fido', tag: 'dog' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: expect.stringMatching(UUID), name: 'Fido', tag: 'dog' });
    const fetched = await call('GET', `/pets/${created.body.id}`);
    expect(fetched.status).toBe(200);
    expect(fetched.body).toEqual(created.body);
  });

  it('keeps an id the client sends', async () => {
    const created = await call('POST', '/pets', { id: 'pet-7', name: 'Seven' });
    expect(created.body.id).toBe('pet-7');
    expect((await call('GET', '/pets/pet-7')).body.name).toBe('Seven');
  });

  it('decodes percent-escapes in path parameters, so an id with spaces or slashes round-trips', async () => {
    const created = await call('POST', '/pets', { id: 'pet 8/b%', name: 'Eight' });
    const fetched = await call('GET', `/pets/${encodeURIComponent('pet 8/b%')}`);
    expect(fetched.status).toBe(200);
    expect(fetched.body).toEqual(created.body);
    // A malformed escape is taken literally rather than failing the request.
    expect((await call('POST', '/pets', { id: 'bad%zz', name: 'Literal' })).status).toBe(201);
    expect((await call('GET', '/pets/bad%zz')).body.name).toBe('Literal');
  });

  it('GET on the collection lists what was stored', async () => {
    const a = (await call('POST', '/pets', { name: 'List-A' })).body;
    const b = (await call('POST', '/pets', { name: 'List-B' })).body;
    const listed = await call('GET', '/pets');
    expect(listed.status).toBe(200);
    expect(listed.body).toEqual(expect.arrayContaining([a, b]));
  });

  it('PUT replaces, PATCH merges, DELETE removes (then 404)', async () => {
    const id = (await call('POST', '/pets', { name: 'Rex', tag: 'dog', weight: 12 })).body.id;
    const replaced = await call('PUT', `/pets/${id}`, { name: 'Rexy', weight: 13 });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ id, name: 'Rexy', weight: 13 });
    const patched = await call('PATCH', `/pets/${id}`, { tag: null });
    expect(patched.body).toMatchObject({ id, name: 'Rexy', weight: 13, tag: null });
    expect((await call('GET', `/pets/${id}`)).body).toEqual(patched.body);
    const deleted = await call('DELETE', `/pets/${id}`);
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe('');
    expectProblem(await call('GET', `/pets/${id}`), 404);
    expectProblem(await send(mock.url, 'DELETE', `/pets/${id}`), 404);
  });

  it('PATCH on an unknown id is 404; PUT on one creates it', async () => {
    expectProblem(await send(mock.url, 'PATCH', '/pets/ghost', { json: { name: 'Boo' } }), 404);
    expect((await call('PUT', '/pets/new-by-put', { name: 'Put' })).status).toBe(200);
    expect((await call('GET', '/pets/new-by-put')).body).toMatchObject({ id: 'new-by-put', name: 'Put' });
  });

  it('validates bodies: 400 in the documented Problem shape, naming the field', async () => {
    for (const body of [{ name: '' }, {}, { name: 'x', weight: 100 }, { name: 'x', weight: -1 }, { name: 7 }]) {
      const response = await call('POST', '/pets', body);
      expectProblem(response, 400);
      expect(response.body.errors?.length, JSON.stringify(body)).toBeGreaterThan(0);
    }
    // 3.0's boolean exclusiveMaximum and nullable are honoured.
    expect((await call('POST', '/pets', { name: 'x', weight: 99.9, tag: null })).status).toBe(201);
  });

  it('validates query parameters against their schema', async () => {
    expectProblem(await send(mock.url, 'GET', '/pets?limit=0'), 422);
    expectProblem(await send(mock.url, 'GET', '/pets?limit=ten'), 422);
    expect((await call('GET', '/pets?limit=5')).status).toBe(200);
  });

  it('answers 404 for unknown paths and 405 for unknown methods on known ones', async () => {
    expectProblem(await getJson(mock.url, '/owners'), 404);
    const response = await send(mock.url, 'POST', '/pets/abc');
    expectProblem(response, 405);
    expect(String(response.headers.allow).split(', ').sort()).toEqual(['DELETE', 'GET', 'PATCH', 'PUT']);
  });
});

describe('OpenAPI 3.1: test/fixtures/crud-3.1.yaml', () => {
  let mock: RunningMock;
  let conformance: ResponseConformance;
  const auth = { authorization: 'Bearer notebook-key' };
  beforeAll(async () => {
    mock = await startSpecMock([fixtureFile('crud-3.1.yaml')]);
    conformance = new ResponseConformance(mock.app);
  });
  afterAll(() => mock?.close());

  async function call(method: string, path: string, json?: unknown, headers = auth): Promise<HttpResponse> {
    const response = await send(mock.url, method, path, { json, headers });
    expect(conformance.check(method, path, response).issues, `${method} ${path}: ${response.text}`).toEqual([]);
    return response;
  }

  it('requires the bearer token the spec declares (401 problem)', async () => {
    expectProblem(await send(mock.url, 'GET', '/notebooks/a/notes'), 401);
    expectProblem(await send(mock.url, 'GET', '/notebooks/a/notes', { headers: { authorization: 'Basic abc' } }), 401);
  });

  it('stores notes per notebook and lists them inside the documented envelope', async () => {
    const a = (await call('POST', '/notebooks/work/notes', { text: 'ship it' })).body;
    const b = (await call('POST', '/notebooks/home/notes', { text: 'buy milk' })).body;
    const work = await call('GET', '/notebooks/work/notes');
    expect(work.body.items).toEqual([a]);
    expect((await call('GET', '/notebooks/home/notes')).body.items).toEqual([b]);
    expect((await call('GET', `/notebooks/work/notes/${a.id}`)).body).toEqual(a);
    expectProblem(await send(mock.url, 'GET', `/notebooks/home/notes/${a.id}`, { headers: auth }), 404);
  });

  it('fills the request schema defaults into what it stores', async () => {
    const created = await call('POST', '/notebooks/defaults/notes', { text: 'unpinned' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ text: 'unpinned', pinned: false });
  });

  it('PATCH merges and DELETE answers the deleted record, then 404', async () => {
    const note = (await call('POST', '/notebooks/p/notes', { text: 'draft', tags: ['x'] })).body;
    const patched = await call('PATCH', `/notebooks/p/notes/${note.id}`, { pinned: true });
    expect(patched.body).toEqual({ ...note, pinned: true });
    const deleted = await call('DELETE', `/notebooks/p/notes/${note.id}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual(patched.body);
    expectProblem(await send(mock.url, 'GET', `/notebooks/p/notes/${note.id}`, { headers: auth }), 404);
  });

  it('keeps each bearer token to its own notes', async () => {
    const mine = (await call('POST', '/notebooks/shared/notes', { text: 'mine' })).body;
    const other = { authorization: 'Bearer someone-else' };
    expect((await call('GET', '/notebooks/shared/notes', undefined, other)).body.items).toEqual([]);
    expect((await send(mock.url, 'GET', `/notebooks/shared/notes/${mine.id}`, { headers: other })).status).toBe(404);
  });

  it('validates with 3.1 keywords: type arrays, numeric exclusiveMaximum, additionalProperties, path patterns', async () => {
    expect((await call('POST', '/notebooks/v/notes', { text: 't', tags: null, priority: 5 })).status).toBe(201);
    for (const body of [
      { text: 't', priority: 6 },
      { text: 't', tags: 'x' },
      { text: 't', colour: 'red' },
      { text: '' },
    ]) {
      const response = await call('POST', '/notebooks/v/notes', body);
      expectProblem(response, 422);
      expect(response.body.errors.length).toBeGreaterThan(0);
    }
    expectProblem(await call('POST', '/notebooks/Not_Valid/notes', { text: 't' }), 422);
  });

  it('answers 415 for a body that is not JSON, as the spec documents no other status for it', async () => {
    const response = await send(mock.url, 'POST', '/notebooks/t/notes', {
      raw: 'text=hi',
      headers: { ...auth, 'content-type': 'application/x-www-form-urlencoded' },
    });
    expectProblem(response, 415);
    expect(response.body.detail).toMatch(/application\/json/);
  });

  it('answers operations without state from the first example', async () => {
    const response = await call('GET', '/status');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'ok', checkedAt: '2025-01-01T00:00:00Z', uptimeSeconds: 86400 });
  });

  it('answers from the schema where there is no example', async () => {
    const response = await call('GET', '/version');
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ version: '1.2.3', commit: expect.any(String), builtAt: expect.any(String) });
  });
});
