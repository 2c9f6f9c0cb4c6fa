/** The `parley` command line: dispatches to mock, test, validate, proxy and diff. */
import { StateFileError } from '../mock/state-file.js';
import { SpecError } from '../openapi/load.js';
import { applyCacheFlag } from './command-line.js';
import { UsageError } from './usage-error.js';

export const HELP = `parley: stateful mock server and property-based contract tests for OpenAPI 3.0/3.1

Usage:
  parley mock [spec files...] [--port 4010] [options]   serve specs as a stateful mock
  parley test --target <url> [spec files...] [options]  check a server against the specs
  parley validate <spec files...>                       check that files are valid OpenAPI
  parley proxy --upstream <url> [spec files...]         validating, recording proxy in front of a server
  parley diff <old spec> <new spec> [options]           breaking changes between two versions

Run "parley <command> --help" for a command's options. Without spec files, commands use the
specs of the config file (parley.config.{ts,mts,mjs,js,json} in the working directory, or
--config <file>), else the bundled Feather, Julep and ElizaOS specs.
`;

type Command = (argv: string[]) => Promise<number>;

// Loaded on demand: each command pulls in only the modules it uses, so a CLI call starts quickly.
const COMMANDS = new Map<string, () => Promise<Command>>([
  ['mock', async () => (await import('./mock-command.js')).runMockCommand],
  ['test', async () => (await import('./test-command.js')).runTestCommand],
  ['validate', async () => (await import('./validate-command.js')).runValidateCommand],
  ['diff', async () => (await import('./diff-command.js')).runDiffCommand],
  ['proxy', async () => (await import('./proxy-command.js')).runProxyCommand],
]);

/** Runs the CLI and returns its exit code: 0 ok, 1 contract failures, 2 bad usage or input. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(HELP);
    return command === undefined ? 2 : 0;
  }
  const load = COMMANDS.get(command);
  if (!load) {
    process.stderr.write(`parley: unknown command "${command}"\n\n${HELP}`);
    return 2;
  }
  // Every command that loads specs takes --no-cache (each lists it in its flags and help).
  applyCacheFlag(rest.includes('--no-cache'));
  try {
    return await (await load())(rest);
  } catch (error) {
    if (
      error instanceof UsageError ||
      error instanceof SpecError ||
      error instanceof StateFileError ||
      isParseArgsError(error) ||
      isStartupError(error)
    ) {
      process.stderr.write(`parley ${command}: ${(error as Error).message}\n`);
      return 2;
    }
    throw error;
  }
}

function isParseArgsError(error: unknown): boolean {
  return (
    typeof (error as { code?: unknown })?.code === 'string' &&
    (error as { code: string }).code.startsWith('ERR_PARSE_ARGS')
  );
}

/** Port in use, missing fixtures file and the like: the user's to fix, not a crash. */
function isStartupError(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return (
    code === 'EADDRINUSE' ||
    code === 'EACCES' ||
    code === 'EADDRNOTAVAIL' ||
    /fixtures|no specs/.test((error as Error)?.message ?? '')
  );
}
