/**
 * A request sent on an idle keep-alive connection while the mock's event loop is stalled (the
 * first compile of a large validator: 4.7 s for Stripe's payment-intent list under load) is
 * answered, not reset: Node's keep-alive timer used to fire before the request was read, and
 * `parley test` reported "the connection was closed before a complete response" against its own mock.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { Pool } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/mock.js';

const SERVER = path.join(ROOT, 'dist/src/mock/server.js');
const SPEC = path.join(ROOT, 'test/fixtures/real-world-defects/form-containers-3.0.yaml');

/** The mock in its own process (built by `npm test`'s tsc), stalling its event loop 6 s on a line "stall". */
const MOCK = `
  const { startMockServer } = await import(${JSON.stringify(SERVER)});
  const mock = await startMockServer({ specFiles: [${JSON.stringify(SPEC)}], port: 0, host: '127.0.0.1', apiKeys: ['k'] });
  process.stdin.on('data', () => { const end = Date.now() + 6000; while (Date.now() < end); });
  console.log(mock.url);
`;

describe('the mock after a stall of its event loop', () => {
  let child: ChildProcess;
  let pool: Pool;
  beforeAll(async () => {
    child = spawn(process.execPath, ['--input-type=module', '-e', MOCK], { stdio: ['pipe', 'pipe', 'inherit'] });
    const [url] = (await once(child.stdout!, 'data')) as [Buffer];
    pool = new Pool(String(url).trim(), { connections: 2 });
  });
  afterAll(async () => {
    await pool.close();
    child.kill();
  });

  it('answers a request sent on an idle keep-alive connection during the stall', async () => {
    const call = async () => {
      const answer = await pool.request({
        path: '/v1/webhook_endpoints',
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from('k:').toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: 'url=https%3A%2F%2Fexample.com&enabled_events[0]=charge.failed',
      });
      await answer.body.text();
      return answer.statusCode;
    };
    // Two connections, both idle for 1.5 s of the mock's 5 s keep-alive
    expect(await Promise.all([call(), call()])).toEqual([200, 200]);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    child.stdin!.write('stall\n');
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Sent during the stall on a reused connection; the stall outlasts its keep-alive
    expect(await call()).toBe(200);
  }, 30_000);
});
