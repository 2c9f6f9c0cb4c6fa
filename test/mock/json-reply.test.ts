/** The mock's answer writer, through a real HTTP server: answers made in one turn all go out, the first wins, a refused header becomes a 500. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeJson } from '../../src/mock/json-reply.js';
import { getJson } from '../helpers/http.js';

describe('writeJson', () => {
  let server: http.Server;
  let url: string;
  const loggedStatuses = new Map<string, number>();

  beforeAll(async () => {
    server = http.createServer((request, response) => {
      const path = request.url ?? '/';
      if (path === '/twice') {
        writeJson(response, 201, { answer: 'first' }, 'application/json');
        writeJson(response, 500, { answer: 'second' }, 'application/json');
      } else if (path === '/refused-header') {
        writeJson(response, 200, { ok: true }, 'application/json', { 'X-Broken': 'line\nbreak' });
      } else {
        writeJson(
          response,
          200,
          { path },
          'application/vnd.api+json',
          { 'X-Extra': 'yes' },
          { 'Access-Control-Allow-Origin': '*' },
        );
      }
      // What the mock's request log reads, before the bytes are out.
      loggedStatuses.set(path, response.statusCode);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('delivers every answer of a busy turn, each with its own body and headers', async () => {
    const paths = Array.from({ length: 200 }, (_, i) => `/item/${i}`);
    const responses = await Promise.all(paths.map((path) => getJson(url, path)));
    responses.forEach((response, i) => {
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ path: paths[i] });
      expect(response.headers['content-type']).toBe('application/vnd.api+json');
      expect(response.headers['content-length']).toBe(String(Buffer.byteLength(response.text)));
      expect(response.headers['x-extra']).toBe('yes');
      expect(response.headers['access-control-allow-origin']).toBe('*');
    });
  });

  it('keeps the first answer for a response and reports its status at once', async () => {
    const response = await getJson(url, '/twice');
    expect(response.status).toBe(201);
    expect(response.body).toEqual({ answer: 'first' });
    expect(loggedStatuses.get('/twice')).toBe(201);
  });

  it('answers a 500 in JSON when Node refuses a header, and keeps serving', async () => {
    const refused = await getJson(url, '/refused-header');
    expect(refused.status).toBe(500);
    expect(refused.body.error).toBe('internal_error');
    expect(refused.body.message).toMatch(/could not write its answer/);
    expect((await getJson(url, '/after')).status).toBe(200);
  });
});
