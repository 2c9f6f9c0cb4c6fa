/** `parley mock --state-file` as a child process, for tests of restarts, crashes and locks. */
import path from 'node:path';
import { ROOT } from './mock.js';
import { spawnUntil, type Started } from './processes.js';

export const BIN = path.join(ROOT, 'bin/parley.js');
const LISTENING = /parley mock listening on (http:\/\/127\.0\.0\.1:\d+)/;

export interface MockProcess extends Started {
  url: string;
}

/** Starts the CLI mock on a free port with the state file and admin token; resolves once it listens. */
export async function startStateMock(stateFile: string, adminToken: string, ...extra: string[]): Promise<MockProcess> {
  const started = await spawnUntil(
    process.execPath,
    [BIN, 'mock', '--port', '0', '--state-file', stateFile, '--admin-token', adminToken, ...extra],
    LISTENING,
    20_000,
    ROOT,
  );
  return { ...started, url: started.match[1] };
}
