/**
 * What keeps a state file safe to share a machine with: symbolic links followed to the real file,
 * an exclusive lock so two mocks never write the same file, and temporary files of a save that
 * died with its process removed.
 */
import { readFileSync, unlinkSync } from 'node:fs';
import { lstat, readdir, readFile, readlink, realpath, stat, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { isTemporaryNameOf, StateFileError } from './state-file.js';

const MAX_LINK_HOPS = 32;
/** A lock file with no readable holder is being written by a starting mock, unless it is older than this. */
const UNREADABLE_LOCK_GRACE_MS = 5_000;

/**
 * The file `file` stands for: symbolic links are followed (the link stays, the file it points to
 * is read and replaced), and the directory is canonical, so two names for one file share one lock.
 * A dangling link names the file to create.
 */
export async function resolveStateFile(file: string): Promise<string> {
  let current = path.resolve(file);
  for (let hops = 0; hops <= MAX_LINK_HOPS; hops++) {
    let info: Awaited<ReturnType<typeof lstat>>;
    try {
      info = await lstat(current);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return canonicalDirectory(current);
      throw new StateFileError(file, `cannot be read (${(error as Error).message})`, { cause: error });
    }
    if (!info.isSymbolicLink()) {
      if (!info.isFile())
        throw new StateFileError(
          file,
          `is not a regular file${current === path.resolve(file) ? '' : ` (it links to ${current})`}`,
        );
      return canonicalDirectory(current);
    }
    current = path.resolve(path.dirname(current), await readlink(current));
  }
  throw new StateFileError(file, `is a chain of more than ${MAX_LINK_HOPS} symbolic links`);
}

async function canonicalDirectory(file: string): Promise<string> {
  const directory = await realpath(path.dirname(file)).catch(() => path.dirname(file));
  return path.join(directory, path.basename(file));
}

interface Holder {
  pid: number;
  host: string;
  since: string;
  token: string;
}

/** An exclusive claim on a state file: `<file>.lock`, holding the owner's pid, host and start time. */
export class StateFileLock {
  private readonly releaseOnExit = () => this.release();

  private constructor(
    readonly lockFile: string,
    private readonly token: string,
  ) {
    // Not released by a crash (kill -9): the next start sees that the pid is gone and takes the lock over.
    process.once('exit', this.releaseOnExit);
  }

  /** Takes the lock, or throws a StateFileError naming the process that holds it. A lock of a process that is gone is taken over. */
  static async acquire(file: string): Promise<StateFileLock> {
    const lockFile = `${file}.lock`;
    const holder: Holder = {
      pid: process.pid,
      host: os.hostname(),
      since: new Date().toISOString(),
      token: randomBytes(8).toString('hex'),
    };
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await writeFile(lockFile, `${JSON.stringify(holder)}\n`, { flag: 'wx', mode: 0o600 });
        return new StateFileLock(lockFile, holder.token);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw new StateFileError(file, `cannot be locked (${(error as Error).message})`, { cause: error });
        }
      }
      const other = await readHolder(lockFile);
      if (other === 'gone') continue;
      if (other === 'unreadable') {
        const age =
          Date.now() -
          (await stat(lockFile).then(
            (info) => info.mtimeMs,
            () => 0,
          ));
        if (age < UNREADABLE_LOCK_GRACE_MS) throw inUse(file, lockFile, 'another parley mock that is starting');
      } else if (isAlive(other)) {
        const where = other.host === os.hostname() ? '' : ` on host ${other.host}`;
        throw inUse(file, lockFile, `another parley mock (pid ${other.pid}${where}, since ${other.since})`);
      }
      // Stale: its process is gone.
      await unlink(lockFile).catch(() => undefined);
    }
    throw new StateFileError(
      file,
      `cannot be locked: ${lockFile} keeps coming back; another mock may be starting on it`,
    );
  }

  /** Removes the lock file if it is still this lock's. Synchronous, so it also runs on process exit. */
  release(): void {
    process.off('exit', this.releaseOnExit);
    try {
      if ((JSON.parse(readFileSync(this.lockFile, 'utf8')) as Holder).token === this.token) unlinkSync(this.lockFile);
    } catch {
      // Already gone, or not ours any more.
    }
  }
}

function inUse(file: string, lockFile: string, by: string): StateFileError {
  return new StateFileError(
    file,
    `is in use by ${by}; stop it or choose another --state-file (if no such process runs, remove ${lockFile})`,
  );
}

async function readHolder(lockFile: string): Promise<Holder | 'gone' | 'unreadable'> {
  let text: string;
  try {
    text = await readFile(lockFile, 'utf8');
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'gone' : 'unreadable';
  }
  try {
    const holder = JSON.parse(text) as Partial<Holder>;
    if (Number.isInteger(holder.pid) && typeof holder.host === 'string' && typeof holder.token === 'string')
      return holder as Holder;
  } catch {
    // Half written, or not ours.
  }
  return 'unreadable';
}

/** A holder on another host cannot be checked, so it counts as alive; one in this process is another mock here. */
function isAlive(holder: Holder): boolean {
  if (holder.host !== os.hostname() || holder.pid === process.pid) return true;
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes temporary snapshots a process left when it died mid-save. Call only while holding the lock. */
export async function removeOrphanTemporaries(file: string): Promise<string[]> {
  const directory = path.dirname(file);
  const names = (await readdir(directory).catch(() => [] as string[])).filter((name) => isTemporaryNameOf(file, name));
  const removed: string[] = [];
  for (const name of names) {
    await unlink(path.join(directory, name)).then(
      () => removed.push(name),
      () => undefined,
    );
  }
  return removed;
}
