/** `parley diff <old> <new>`: breaking changes between two versions of a spec, for CI gates on a change. */
import { parseArgs } from 'node:util';
import { diffReportHtml } from '../diff/html.js';
import { diffToJUnit, formatDiff } from '../diff/report.js';
import { diffSpecFiles } from '../diff/spec-diff.js';
import {
  CACHE_FLAG,
  cacheHelpLine,
  HELP_FLAG,
  printedHelp,
  REPORT_FILE_FLAGS,
  writeReportFiles,
} from './command-line.js';
import { applyConfig, CONFIG_FLAG } from './config-flags.js';
import { UsageError } from './usage-error.js';

export const DIFF_HELP = `Usage: parley diff <old spec> <new spec> [options]

Lists what changed between two versions of an OpenAPI file, breaking changes for the API's
clients apart from the rest: removed operations, statuses or response fields, new required
parameters or request fields, narrower bounds, patterns or enums in requests, wider ones in
responses, changed types, new required credentials. Exit 0 when nothing breaks, 1 on any
breaking change, 2 on bad usage or an unreadable spec.

Options:
      --format <f>       what stdout gets: text (default) or json
      --json <file>      also write the changes as JSON
      --junit <file>     also write a JUnit XML report (a failing testcase per broken operation)
      --html <file>      also write one self-contained HTML page: the verdict, breaking and
                         non-breaking changes
${cacheHelpLine(25)}
      --config <file>    config file (default: parley.config.* in the working directory): flag
                         defaults under "diff"
  -h, --help             show this help
`;

const DIFF_OPTIONS = {
  format: { type: 'string' },
  ...REPORT_FILE_FLAGS,
  ...CACHE_FLAG,
  ...CONFIG_FLAG,
  ...HELP_FLAG,
} as const;

export async function runDiffCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: DIFF_OPTIONS });
  if (printedHelp(values.help, DIFF_HELP)) return 0;
  await applyConfig('diff', values, DIFF_OPTIONS);
  if (positionals.length !== 2)
    throw new UsageError(`expects two spec files, the old one and the new one (got ${positionals.length})`);
  const format = values.format ?? 'text';
  if (format !== 'text' && format !== 'json') throw new UsageError(`--format expects text or json, got "${format}"`);
  const report = await diffSpecFiles(positionals[0], positionals[1]);
  const json = `${JSON.stringify(report, null, 2)}\n`;
  process.stdout.write(format === 'json' ? json : formatDiff(report));
  await writeReportFiles(values, {
    json: () => json,
    junit: () => diffToJUnit(report),
    html: () => diffReportHtml(report),
  });
  return report.breaking > 0 ? 1 : 0;
}
