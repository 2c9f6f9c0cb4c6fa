/** Builds dist/ with tsc when any source is newer than its compiled file, so CLI tests run current code. */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './mock.js';

function sourcesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourcesUnder(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

export function distIsStale(): boolean {
  return sourcesUnder(path.join(ROOT, 'src')).some((source) => {
    const compiled = path.join(ROOT, 'dist', path.relative(ROOT, source)).replace(/\.ts$/, '.js');
    return !existsSync(compiled) || statSync(compiled).mtimeMs < statSync(source).mtimeMs;
  });
}

/** Runs tsc if dist/ is stale. Type errors are reported by `npm test`'s own tsc step; here only the output matters. */
export function ensureBuilt(): void {
  if (!distIsStale()) return;
  try {
    execFileSync(
      process.execPath,
      [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', path.join(ROOT, 'tsconfig.json')],
      { cwd: ROOT, stdio: 'pipe' },
    );
  } catch (error) {
    // tsc still emits on type errors; fail only when the CLI was not produced.
    if (!existsSync(path.join(ROOT, 'dist/src/cli/main.js'))) throw error;
  }
}
