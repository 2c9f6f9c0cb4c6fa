/** State file systems that misbehave on purpose, for tests of failed and slow saves. */
import { nodeFileSystem, type StateFileHandle, type StateFileSystem } from '../../src/mock/state-io.js';

type Write = StateFileHandle['write'];

/**
 * The real file system, with every write of a state file handle going through `write` (given the
 * real handle's write, to call or not) and every truncate reported to `onTruncate`.
 */
export function diskWithWrites(
  write: (real: Write, ...args: Parameters<Write>) => ReturnType<Write>,
  onTruncate: () => void = () => undefined,
): StateFileSystem {
  const wrap = (handle: StateFileHandle): StateFileHandle => ({
    write: (...args) => write((...real) => handle.write(...real), ...args),
    datasync: () => handle.datasync(),
    truncate: (length) => {
      onTruncate();
      return handle.truncate(length);
    },
    close: () => handle.close(),
  });
  return { ...nodeFileSystem, open: async (file, flags, mode) => wrap(await nodeFileSystem.open(file, flags, mode)) };
}

/** The error a full disk gives. */
export const noSpace = () => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
