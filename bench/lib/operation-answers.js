/**
 * One valid answer per bundled operation, taken from the parley mock by a short `parley test` run:
 * the 2xx (else the documented 4xx) answer to a valid request, the answer to a request without or with a wrong key, and the
 * answer to an undocumented method. bench/servers/canned.js replays them as a bare target.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { stopServer } from './processes.js';
import { TARGETS } from './targets.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const specFiles = ['feather', 'julep', 'eliza'].map((name) => path.join(root, 'specs', `${name}.yaml`));

/** Captures the answers and writes them to a temporary JSON file; returns its path. */
export async function captureOperationAnswers(apiKey) {
  const { runContract } = await import(pathToFileURL(path.join(root, 'dist/src/contract/runner.js')).href);
  const mock = await TARGETS.parley.start(undefined, undefined, { PARLEY_API_KEYS: apiKey });
  const byOperation = new Map();
  let unsupported;
  const answerOf = ({ status, headers, text }) => ({ status, contentType: headers['content-type'], body: text });
  try {
    await runContract({
      target: mock.url,
      specFiles,
      apiKey,
      seed: 1,
      runs: 5,
      phases: ['examples', 'fuzz', 'stateful'],
      onExchange: (_spec, exchange) => {
        const { request, response, kind } = exchange;
        if (!response) return;
        const { operation } = request;
        const key = `${operation.method.toUpperCase()} ${operation.path}`;
        const entry = byOperation.get(key) ?? {
          method: operation.method.toUpperCase(),
          path: operation.path,
          secured: operation.security.length > 0,
        };
        byOperation.set(key, entry);
        const ok = response.status >= 200 && response.status < 300;
        if (kind === 'valid' && ok) entry.accepted ??= answerOf(response);
        // Where the bundled specs need state or fixtures to get a 2xx (an unknown agent), the documented 404 serves.
        if (kind === 'valid' && response.status < 500) entry.fallback ??= answerOf(response);
        if ((kind === 'no-credentials' || kind === 'wrong-credentials') && response.status === 401)
          entry.rejected ??= answerOf(response);
        if (kind === 'unsupported-method' && response.status === 405) unsupported ??= answerOf(response);
      },
    });
  } finally {
    await stopServer(mock.child);
  }
  const operations = [...byOperation.values()].map(({ fallback, ...entry }) => ({
    ...entry,
    accepted: entry.accepted ?? fallback,
  }));
  const missing = operations.filter((entry) => !entry.accepted).map((entry) => entry.path);
  if (missing.length > 0) throw new Error(`no answer from the mock to a valid request for ${missing.join(', ')}`);
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'parley-bench-answers-')), 'answers.json');
  writeFileSync(file, JSON.stringify({ operations, unsupported }));
  return file;
}
