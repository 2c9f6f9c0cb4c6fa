/** `parley validate <spec...>`: checks that files are valid OpenAPI 3.0/3.1 and lists their operations. */
import { parseArgs } from 'node:util';
import { loadSpec } from '../openapi/load.js';
import { CACHE_FLAG, cacheHelpLine, HELP_FLAG, printedHelp } from './command-line.js';
import { applyConfig, CONFIG_FLAG } from './config-flags.js';
import { UsageError } from './usage-error.js';

export const VALIDATE_HELP = `Usage: parley validate [spec files...] [options]

Checks that each file is valid OpenAPI 3.0/3.1 and lists its operations (default: the config
file's specs). Exit 0 when all are valid, 2 otherwise.

Options:
      --config <file>  config file (default: parley.config.* in the working directory)
${cacheHelpLine(23)}
  -h, --help           show this help
`;

const VALIDATE_OPTIONS = { ...CACHE_FLAG, ...CONFIG_FLAG, ...HELP_FLAG } as const;

export async function runValidateCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: VALIDATE_OPTIONS });
  if (printedHelp(values.help, VALIDATE_HELP)) return 0;
  const config = await applyConfig('validate', values, VALIDATE_OPTIONS);
  const files = positionals.length > 0 ? positionals : config.specFiles();
  if (files.length === 0) throw new UsageError('validate needs at least one spec file: parley validate <spec>');
  for (const file of files) {
    const spec = await loadSpec(file);
    process.stdout.write(
      `${file}: valid OpenAPI ${spec.version} (${spec.title}), ${spec.operations.length} operation(s)\n`,
    );
    for (const op of spec.operations)
      process.stdout.write(`  ${op.method.toUpperCase().padEnd(6)} ${op.path}  ${op.id}\n`);
    for (const warning of spec.warnings) process.stdout.write(`  warning: ${warning}\n`);
  }
  return 0;
}
