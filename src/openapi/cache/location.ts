/** Where the spec cache lives, and whether it is on at all. */
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** `PARLEY_CACHE=0` (or `false`, `off`, `no`) turns the cache off; so does `--no-cache` on the command line. */
export function cacheEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  const setting = env.PARLEY_CACHE?.trim().toLowerCase();
  return !(setting === '0' || setting === 'false' || setting === 'off' || setting === 'no');
}

/**
 * `PARLEY_CACHE_DIR` when set; else `node_modules/.cache/parley` of the nearest `node_modules` at or
 * above `cwd` (where build tools keep their caches, cleaned with the dependencies); else the user's
 * cache directory (`$XDG_CACHE_HOME/parley`, `~/.cache/parley`).
 */
export function cacheDirectory(cwd: string = process.cwd(), env: NodeJS.ProcessEnv = process.env): string {
  if (env.PARLEY_CACHE_DIR) return path.resolve(cwd, env.PARLEY_CACHE_DIR);
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'node_modules'))) return path.join(dir, 'node_modules', '.cache', 'parley');
    if (path.dirname(dir) === dir) break;
  }
  const base =
    env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : path.join(os.homedir(), '.cache');
  return path.join(base, 'parley');
}
