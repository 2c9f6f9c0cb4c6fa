/**
 * The examples phase sends a Parameter object's own `example`/`examples` (query, path, header),
 * besides those of its schema; an example that breaks its schema is a warning, not a request.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentedExamples } from '../../src/contract/phases/examples.js';
import { runContract } from '../../src/contract/runner.js';
import { loadSpec } from '../../src/openapi/load.js';
import { SpecValidator } from '../../src/openapi/validator.js';
import { fixtureFile } from '../helpers/mock.js';

const SPEC = fixtureFile('parameter-examples.yaml');

describe('parameter examples', () => {
  it('are read from the Parameter object and from its schema, each as a whole request', async () => {
    const spec = await loadSpec(SPEC);
    const [operation] = spec.operations;
    expect(operation.parameters.find((p) => p.name === 'limit')!.examples.map((e) => e.name)).toEqual([
      'small',
      'large',
      'tooLarge',
    ]);
    const examples = documentedExamples(operation, new SpecValidator(spec), 1);
    expect(examples.map((e) => [e.name, e.invalid === undefined])).toEqual([
      ['path.item example "example"', true],
      ['query.limit example "small"', true],
      ['query.limit example "large"', true],
      ['query.limit example "tooLarge"', false],
      ['header.X-Trace example "example"', true],
      ['header.X-Trace example', true],
    ]);
    expect(examples[0].request.pathParams.item).toBe('it-42');
    expect(examples[1].request.query.limit).toBe(5);
    expect(examples[4].request.headers['x-trace']).toBe('trace-7');
    expect(examples[5].request.headers['x-trace']).toBe('trace-from-schema');
  });

  describe('sent by the examples phase', () => {
    const received: { url: string; trace: string | undefined }[] = [];
    let server: http.Server;
    let url: string;
    beforeAll(async () => {
      server = http.createServer((request, response) => {
        received.push({ url: request.url ?? '', trace: request.headers['x-trace'] as string | undefined });
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('go out on the wire as documented, and the broken one is a warning', async () => {
      const report = await runContract({
        target: url,
        specFiles: [SPEC],
        contracts: [],
        phases: ['examples'],
        seed: 1,
        runs: 1,
        requestTimeoutMs: 5000,
      });
      expect(report.failures).toEqual([]);
      // One request per valid example (the run also checks once that the target answers at all, at "/").
      const sent = received.filter((r) => r.url.startsWith('/items/'));
      const urls = sent.map((r) => r.url);
      expect(urls.some((u) => u.startsWith('/items/it-42'))).toBe(true);
      expect(urls.filter((u) => /[?&]limit=5(&|$)/.test(u))).toHaveLength(1);
      expect(urls.filter((u) => /[?&]limit=100(&|$)/.test(u))).toHaveLength(1);
      expect(urls.some((u) => /[?&]limit=500(&|$)/.test(u))).toBe(false);
      expect(sent.map((r) => r.trace)).toEqual(expect.arrayContaining(['trace-7', 'trace-from-schema']));
      expect(sent).toHaveLength(5);
      expect(report.warnings.map((w) => w.message).join('\n')).toMatch(
        /query\.limit example "tooLarge" breaks its own schema/,
      );
    });
  });
});
