/** `parley mock [spec files...]`: serve specs as a stateful mock until interrupted. */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startMockServer, DEFAULT_LIMITS, type RunningMock } from '../mock/server.js';
import { DEMO_AGENT } from '../apis/index.js';
import { loadSpecs } from '../openapi/load.js';
import { loadConfig } from '../config/load.js';
import { withConfigDefaults } from './config-flags.js';
import { configReloadSource, mockPartsFrom, specFilesFor } from './mock-parts.js';
import { MOCK_OPTIONS, mockSettingsFrom } from './mock-settings.js';
import { ADMIN_PREFIX } from '../mock/admin.js';
import { applyCacheFlag, cacheHelpLine, printedHelp } from './command-line.js';

export const MOCK_HELP = `Usage: parley mock [spec files...] [options]

Serves every operation of the given OpenAPI 3.0/3.1 files (default: the config file's specs,
else the bundled Feather, Julep and ElizaOS specs) as a stateful mock on one port.

Options:
  -p, --port <n>            port to listen on (default 4010; 0 picks a free one)
      --host <addr>         address to bind (default 127.0.0.1)
      --seed <n>            deterministic ids and clock (starts 2025-01-01T00:00:00Z)
      --api-key <key>       accept only this key where a spec asks for one (repeatable); HTTP
                            Basic takes it as the user name (empty password) or as user:password
      --admin-token <t>     token for global admin calls (header x-parley-admin-token)
      --fixtures <file>     JSON fixtures, e.g. {"agents": [{"id": "<uuid>", "name": "Ada"}]}
      --latency <ms|a-b>    add a fixed or random delay to every answer
      --error-rate <0..1>   answer this fraction of requests with an injected 500
      --max-body <size>     request body limit (default 1mb), larger bodies get 413
      --max-records <n>     records kept before the oldest are evicted (default ${DEFAULT_LIMITS.maxRecords})
      --max-memory <size>   bytes of records kept (their JSON length) before the oldest are
                            evicted (default a quarter of the heap limit, at most 400mb)
      --max-record-size <size> bytes one record may take, a Feather session with its messages
                            (default 8mb); larger ones get 413, a session drops its oldest messages
      --max-connections <n> connections served at once (default ${DEFAULT_LIMITS.maxConnections}); more get 503 and are closed
      --request-timeout <ms> cut off requests whose body has not arrived (default ${DEFAULT_LIMITS.requestTimeoutMs})
      --no-cors             do not answer CORS preflights or add CORS headers
      --cors-admin          CORS on the /__parley/ admin endpoints too (off: browser pages cannot call them)
      --allowed-host <name> a host name besides loopback that admin calls may come to (repeatable)
      --state-file <file>   load state from this file on start and append changes to it
                            periodically and on exit; one mock per file (a second exits 2)
      --save-interval <s>   seconds between saves of what changed (default ${DEFAULT_LIMITS.saveIntervalMs / 1000})
      --watch               reload the spec, fixtures and config files (and modules the config
                            imports) when they change, keeping the state (an edit that does not
                            load is reported and the previous specs and behaviours stay served);
                            fixture records taken out of a file go, and the config's "mock" flag
                            defaults apply, those fixed at start (port, seed, store limits...)
                            named as "restart to apply"
${cacheHelpLine()}
      --no-bundled          no bundled behaviours or fixtures (Feather, Julep, ElizaOS): every spec
                            is served generically
      --config <file>       config file (default: parley.config.{ts,mts,mjs,js,json} in the working
                            directory): specs with behaviours, fixtures, flag defaults under "mock"
  -h, --help                show this help
`;

export async function runMockCommand(argv: string[]): Promise<number> {
  const { values: commandLine, positionals } = parseArgs({ args: argv, allowPositionals: true, options: MOCK_OPTIONS });
  if (printedHelp(commandLine.help, MOCK_HELP)) return 0;
  const config = await loadConfig(commandLine.config);
  const values = withConfigDefaults(config, 'mock', commandLine, MOCK_OPTIONS);
  // main.ts saw only the command line's --no-cache.
  applyCacheFlag(values['no-cache']);
  // Every flag is checked before the specs load: a typo is reported at once.
  const settings = mockSettingsFrom(values);
  const specFiles = specFilesFor(positionals, config);
  const bundled = !values['no-bundled'];
  // Loaded here (not by the server) so the config's behaviours can be checked against the operations.
  const specs = await loadSpecs(specFiles);
  const mock = await startMockServer({
    ...settings,
    specFiles,
    specs,
    ...mockPartsFrom(config, specs, bundled),
    reloadSource: config.file
      ? configReloadSource(config, { named: values.config, positionals, commandLine })
      : undefined,
  });
  printBanner(mock);
  return waitForSignal(mock);
}

function printBanner(mock: RunningMock): void {
  const lines = [`parley mock listening on ${mock.url}`];
  for (const spec of mock.app.parts.specs) {
    lines.push(`  ${spec.title || spec.name} (${spec.file})`);
    for (const op of spec.operations) lines.push(`    ${op.method.toUpperCase().padEnd(6)} ${op.path}`);
    for (const warning of spec.warnings) lines.push(`    warning: ${warning}`);
  }
  lines.push(`  dashboard: ${mock.url}${ADMIN_PREFIX}`);
  lines.push(
    `  admin: ${mock.url}${ADMIN_PREFIX}health, state, reset, requests, fixtures, clock, controls, specs, events`,
  );
  if (mock.watcher) lines.push('  watching the spec, fixtures and config files for changes');
  if (mock.app.parts.fixtures.get('agents', DEMO_AGENT.id)) lines.push(`  demo ElizaOS agent: ${DEMO_AGENT.id}`);
  if (mock.persistence) {
    const { file, path: written } = mock.persistence;
    lines.push(`  state file: ${file}${written === path.resolve(file) ? '' : ` (follows the link to ${written})`}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** Resolves with the exit code once a signal has stopped the mock: 1 if the final state save failed. */
function waitForSignal(mock: RunningMock): Promise<number> {
  return new Promise((resolve) => {
    const stop = (signal: string) => {
      process.stdout.write(`\n${signal}: finishing in-flight requests and stopping\n`);
      mock.close().then(
        () => resolve(0),
        (error: Error) => {
          process.stderr.write(`parley mock: ${error.message}\n`);
          resolve(1);
        },
      );
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
}
