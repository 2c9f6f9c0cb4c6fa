/** `parley validate <spec...>`: checks that files are valid OpenAPI 3.0/3.1 and lists their operations. */
import { loadSpec } from '../openapi/load.js';
import { UsageError } from './usage-error.js';

export async function runValidateCommand(argv: string[]): Promise<number> {
  const files = argv.filter((arg) => !arg.startsWith('-'));
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
