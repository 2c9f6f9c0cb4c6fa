/** parley's own version, read once from its package.json (found above this file, in src/ or in dist/src/). */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function readVersion(): string {
  for (let dir = path.dirname(fileURLToPath(import.meta.url)), hops = 0; hops < 4; dir = path.dirname(dir), hops++) {
    const file = path.join(dir, 'package.json');
    if (!existsSync(file)) continue;
    const manifest = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
    if (manifest.name === 'parley' && manifest.version) return manifest.version;
  }
  return '0.0.0';
}

export const PARLEY_VERSION = readVersion();
export const USER_AGENT = `parley/${PARLEY_VERSION}`;
