/** What every parley command shares on its command line: -h/--help, --no-cache and the report files a gate keeps. */
import { writeFile } from 'node:fs/promises';

/** -h/--help, in every command's flag table. */
export const HELP_FLAG = { help: { type: 'boolean', short: 'h' } } as const;

/** --no-cache, in the flag table of every command that loads specs. */
export const CACHE_FLAG = { 'no-cache': { type: 'boolean' } } as const;

/** Its line in a command's help, the description starting at `column`. */
export function cacheHelpLine(column = 28): string {
  return `${'      --no-cache'.padEnd(column)}load the specs without the on-disk cache of specs and validators (as PARLEY_CACHE=0 does)`;
}

/** --no-cache turns the spec cache off for this process, exactly as PARLEY_CACHE=0 in its environment would (main.ts). */
export function applyCacheFlag(noCache: boolean | undefined): void {
  if (noCache) process.env.PARLEY_CACHE = '0';
}

/** --junit, --json and --html. */
export const REPORT_FILE_FLAGS = {
  junit: { type: 'string' },
  json: { type: 'string' },
  html: { type: 'string' },
} as const;

/** Prints the command's help when it was asked for; true then, and the command exits 0. */
export function printedHelp(asked: boolean | undefined, help: string): boolean {
  if (asked) process.stdout.write(help);
  return asked === true;
}

/** Writes each report file that was asked for, rendering only those. */
export async function writeReportFiles(
  files: { junit?: string; json?: string; html?: string },
  render: { junit: () => string; json: () => string; html: () => string },
): Promise<void> {
  for (const format of ['junit', 'json', 'html'] as const) {
    const file = files[format];
    if (file) await writeFile(file, render[format]());
  }
}
