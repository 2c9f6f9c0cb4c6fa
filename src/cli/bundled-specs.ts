/** The specs that ship with parley, used when a command is given none. */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** specs/ at the package root (this file runs from src/cli or dist/src/cli). */
export const BUNDLED_SPECS_DIR = (() => {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!readdirSafe(dir).includes('package.json') && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return path.join(dir, 'specs');
})();

export function bundledSpecFiles(): string[] {
  return readdirSafe(BUNDLED_SPECS_DIR)
    .filter((name) => /\.(ya?ml|json)$/i.test(name))
    .sort()
    .map((name) => path.join(BUNDLED_SPECS_DIR, name));
}

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
