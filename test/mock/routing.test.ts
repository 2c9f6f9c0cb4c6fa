/**
 * Routing as a client sees it: a path without parameters is answered by its own operation (it is
 * found by a direct look-up, not by the regular expressions), and every rule of the full match still
 * holds around it: a trailing slash, a method only a route with parameters has, the 405's list,
 * HEAD answered by GET, and a paths key with a fixed query beside a plain one.
 */
import { describe, expect, it } from 'vitest';
import { send } from '../helpers/http.js';
import { specMockFor, tempJsonFile } from '../helpers/mock.js';

/** An operation whose 200 answer names it, so each request shows which operation answered. */
const answersWith = (operationId: string) => ({
  operationId,
  responses: {
    '200': {
      description: 'ok',
      content: {
        'application/json': {
          schema: { type: 'object', properties: { op: { type: 'string' } } },
          example: { op: operationId },
        },
      },
    },
  },
});

const SPEC = {
  openapi: '3.0.3',
  info: { title: 'routing', version: '1' },
  paths: {
    '/users/me': { get: answersWith('getMe') },
    '/users/{id}': {
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
      get: answersWith('getUser'),
      delete: answersWith('deleteUser'),
    },
    '/items': { get: answersWith('listItems') },
    '/items?kind=special': { get: answersWith('listSpecial') },
  },
};

// Prefer asks for the documented answer, so no state decides what comes back.
const PREFER = { prefer: 'code=200' };

describe('routing', async () => {
  const mock = specMockFor([await tempJsonFile('routing.json', SPEC)]);
  const answeredBy = async (method: string, path: string) => {
    const response = await send(mock.url, method, path, { headers: PREFER });
    expect(response.status, response.text).toBe(200);
    return response.body.op;
  };

  it('answers a path without parameters by its own operation, with or without a trailing slash', async () => {
    expect(await answeredBy('GET', '/users/me')).toBe('getMe');
    expect(await answeredBy('GET', '/users/me/')).toBe('getMe');
    expect(await answeredBy('GET', '/users/42')).toBe('getUser');
  });

  it('leaves a method the plain path lacks to the route with parameters', async () => {
    expect(await answeredBy('DELETE', '/users/me')).toBe('deleteUser');
    expect(await answeredBy('DELETE', '/users/42')).toBe('deleteUser');
  });

  it('lists the methods of every route matching the path in a 405', async () => {
    const response = await send(mock.url, 'PATCH', '/users/me', { headers: PREFER });
    expect(response.status, response.text).toBe(405);
    expect(String(response.headers.allow).split(', ').sort()).toEqual(['DELETE', 'GET']);
  });

  it('answers HEAD on a plain path with its GET', async () => {
    const response = await send(mock.url, 'HEAD', '/users/me', { headers: PREFER });
    expect(response.status).toBe(200);
    expect(response.text).toBe('');
  });

  it('routes the fixed query key with its query and the plain key without it', async () => {
    expect(await answeredBy('GET', '/items?kind=special')).toBe('listSpecial');
    expect(await answeredBy('GET', '/items')).toBe('listItems');
    expect(await answeredBy('GET', '/items?kind=other')).toBe('listItems');
  });
});
