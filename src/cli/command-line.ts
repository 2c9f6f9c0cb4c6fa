/** What every parley command shares on its command line: -h/--help and the report files a gate keeps. */
import { writeFile } from 'node:fs/promises';

/** -h/--help, in every command's flag table. */
export const HELP_FLAG = { help: { type: 'boolean', short: 'h' } } as const;

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
