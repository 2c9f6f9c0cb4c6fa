/** The servers under test, each started in its own child process on a free loopback port. */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { freePort, startServer, stopServer } from './processes.js';
import { capture, WORKLOADS } from './workloads.js';

const require = createRequire(import.meta.url);
const serverScript = (name) => fileURLToPath(new URL(`../servers/${name}.js`, import.meta.url));
const prismCli = require.resolve('@stoplight/prism-cli/dist/index.js');

/**
 * @typedef {{ name: string, start(workload: import('./workloads.js').Workload, answers: object): Promise<{ child: import('node:child_process').ChildProcess, url: string }> }} Target
 */

/** @type {Record<'bare' | 'parley' | 'prism', Target>} */
export const TARGETS = {
  bare: {
    name: 'bare node:http',
    start: (_workload, answers) => startServer(process.execPath, [serverScript('bare'), JSON.stringify(answers)]),
  },
  parley: {
    name: 'parley mock',
    // env.PARLEY_DIST runs another build of the mock (bench/compare.js).
    start: (_workload, _answers, env = {}) => startServer(process.execPath, [serverScript('parley')], { env }),
  },
  prism: {
    name: 'Prism 5 mock',
    // Logging at warn: Prism's per-request info logs would slow it, and the comparison should not rest on that.
    start: async (workload) => {
      const port = await freePort();
      return startServer(
        process.execPath,
        [prismCli, 'mock', '-h', '127.0.0.1', '-p', String(port), '--verboseLevel', 'warn', workload.specFile],
        { port },
      );
    },
  },
};

/** The mock's own answers, so the bare server returns byte-for-byte the same bodies. */
export async function captureParleyAnswers() {
  const server = await TARGETS.parley.start();
  try {
    const answers = {};
    for (const workload of WORKLOADS) {
      const request = await workload.prepare(server.url);
      answers[request.path] = await capture(server.url, request);
    }
    return answers;
  } finally {
    await stopServer(server.child);
  }
}
