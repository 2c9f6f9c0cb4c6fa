/** `parley test --target <url> [spec files...]`: the contract suite as a CLI, for CI gates and QA. */
import { parseArgs } from 'node:util';
import { BUNDLED_APIS, contractsOf } from '../apis/index.js';
import type { ApiContract } from '../contract/api-contract.js';
import { type CheckRegistry, defaultCheckRegistry } from '../contract/checks/registry.js';
import { ConfigError, loadContractFile, type LoadedConfig } from '../config/load.js';
import { applyConfig, CONFIG_FLAG } from './config-flags.js';
import { tuneV8ForHarness } from './harness-tuning.js';
import { formatReport } from '../contract/report/console.js';
import { toJUnit } from '../contract/report/junit.js';
import { testReportHtml } from '../contract/report/html.js';
import { coverageShortfall } from '../coverage/format.js';
import {
  DEFAULT_COVERAGE_BUDGET,
  DEFAULT_REQUEST_TIMEOUT_MS,
  DEFAULT_RUNS,
  EmptySelectionError,
  runContract,
  TargetUnreachableError,
  UnknownSelectionError,
  type Progress,
} from '../contract/runner.js';
import { CHECKS } from '../contract/checks/index.js';
import { SLOW_ANSWER_WARNING_MS } from '../contract/checks/operational.js';
import { GENERIC_SEQUENCE_NAMES } from '../contract/generic-contract.js';
import { verdictOf } from '../contract/collect.js';
import { parsePhases } from '../contract/select.js';
import { PHASES, type Failure, type Report } from '../contract/types.js';
import { parseRate } from '../contract/rate.js';
import { credentialsFromEnvironment, redactSecrets, type Secret } from '../report/secrets.js';
import { USER_AGENT } from '../version.js';
import { basicToken } from '../contract/credentials.js';
import { loadSpecs } from '../openapi/load.js';
import { describeSecurity } from '../openapi/security.js';
import type { Spec } from '../openapi/types.js';
import { bundledSpecFiles } from './bundled-specs.js';
import { parseByteSize, parseHttpUrl, parseNumberOption, UsageError } from './usage-error.js';
import {
  HELP_FLAG,
  printedHelp,
  REPORT_FILE_FLAGS,
  writeReportFiles,
  CACHE_FLAG,
  cacheHelpLine,
} from './command-line.js';

export const TEST_HELP = `Usage: parley test --target <url> [spec files...] [options]

Sends requests built from the specs (default: the config file's specs, else the bundled Feather,
Julep and ElizaOS specs) to the target and reports where it breaks the contract, in four phases:
examples (every documented
example), coverage (every constraint probed at and past its bounds, deterministically), fuzz
(fast-check generation, failures shrunk) and stateful (the contracts' sequences).

Exit 0 when everything selected was tested and the target conforms; 1 on contract failures or
flaky ones (a failure that passed when sent again); 2 on bad usage or an unreachable target;
3 when the run did not finish (--max-time): "incomplete: N operations untested". With
--min-coverage, coverage below it (statuses, content types, parameters, constraints) is exit 1.

Options:
  -t, --target <url>        base URL of the server under test (required)
      --api-key <key>       credential sent where a spec declares an API key (header, query or
                            cookie) or a bearer token (default: $PARLEY_API_KEY); give it twice
                            for a second tenant
      --second-api-key <key> the second tenant's key (default: $PARLEY_SECOND_API_KEY): enables
                            the tenant-isolation properties (feather.tenant_isolation,
                            crud.tenant_isolation); without one they are reported as not run
      --basic <user:pass>   for HTTP Basic schemes, sent base64-encoded (default: $PARLEY_BASIC;
                            without it the API key is sent as the user name)
  -H, --header <k: v>       extra header on every request (repeatable); PARLEY_HEADER_<NAME>=v
                            in the environment adds "<name>: v" (underscores become dashes)
      --seed <n>            fast-check seed; failures print the seed that replays them
      --phases <list>       phases to run, comma-separated (default ${PHASES.join(',')})
      --runs <n>            fuzz: valid requests per operation (default ${DEFAULT_RUNS}; invalid ones scale from it)
      --coverage-budget <n> coverage: requests per operation at most (default ${DEFAULT_COVERAGE_BUDGET}); the report
                            says where it cut
      --max-time <t>        stop after this long (e.g. 90s, 5m, 30000ms; bare numbers are seconds); each
                            operation and phase gets its share, and a cut run exits 3
      --allow-partial       a run cut by --max-time exits 0/1 on what it tested, not 3
      --fail-fast           stop at the first failure
      --request-timeout <ms> deadline for one response (default ${DEFAULT_REQUEST_TIMEOUT_MS})
      --max-response-size <size> bytes of one response read (default 4mb); a longer body is a
                            failure naming the cap and its connection is dropped
      --concurrency <n>     jobs at once, at most one per operation while others wait (default 4)
      --only <name>         only these operations (operationId or "METHOD /path"), checks or sequences
                            (repeatable; an unknown name is an error, and so is a selection of nothing)
      --skip <name>         skip these operations, checks or sequences (repeatable)
      --fixture <k=v>       values the contracts need, e.g. eliza.agentId=<uuid> (repeatable)
      --contract <file>     a module (.ts, .mjs, .js) exporting an ApiContract as its default export:
                            request preparation and stateful sequences for your API (repeatable)
      --no-bundled          no bundled contract (Feather, Julep, ElizaOS): every spec is tested generically
      --no-generic          no generic crud.* sequences: without it they run beside a contract of
                            yours (unless it says generic: false) and alone where no contract fits
      --config <file>       config file (default: parley.config.{ts,mts,mjs,js,json} in the working
                            directory): specs, flag defaults under "test", contracts, checks
      --rate <n/s>          at most this many requests per second (e.g. 20/s, 600/m), for a shared sandbox
      --cleanup             afterwards, delete what the run created where the spec documents a DELETE
      --max-response-time <t> answers slower than this fail max_response_time (e.g. 2s, 500ms);
                            without it, answers slower than ${SLOW_ANSWER_WARNING_MS} ms are warnings
      --strict              every warning is a failure (undocumented 400/401, slow answers,
                            unsupported_method), for gates that want the letter of the spec
      --min-coverage <pct>  exit 1 when less than this share of what the specs document (statuses,
                            response content types, parameters, probed constraints) was exercised
      --junit <file>        also write a JUnit XML report
      --json <file>         also write the full report as JSON (coverage included)
      --html <file>         also write one self-contained HTML page: verdict, failures with curl and
                            exchange, warnings, coverage, response times
${cacheHelpLine()}
  -h, --help                show this help

Credentials never appear in a report: the keys are shown as $PARLEY_API_KEY and
$PARLEY_SECOND_API_KEY, a credential header as $PARLEY_HEADER_<NAME>, so a printed curl replays once they are exported.
Requests carry "User-Agent: ${USER_AGENT}" unless a header sets another.

Checks: ${CHECKS.map((c) => c.name).join(', ')}, and the config file's checks
        (ignored_auth sends a key no server should know, in a run given a key: a target that
        accepts any key fails it;
        unsupported_method is a warning unless named with --only).
Stateful properties: those of contracts/ for the bundled APIs (feather.*, julep.*, eliza.*), and
        for any other spec (beside your contracts' sequences too), per collection found from its
        paths (POST /things with an id, GET/DELETE /things/{id}): ${GENERIC_SEQUENCE_NAMES.join(', ')}.
`;

function parseDuration(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m)?$/.exec(value.trim());
  if (!match) throw new UsageError(`--${flag} expects a duration such as 90s, 5m or 30000ms, got "${value}"`);
  const factor = match[2] === 'ms' ? 1 : match[2] === 'm' ? 60_000 : 1000;
  return Number(match[1]) * factor;
}

function parseHeaders(values: string[] | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const value of values ?? []) {
    const at = value.indexOf(':');
    if (at <= 0) throw new UsageError(`--header expects "Name: value", got "${value}"`);
    headers[value.slice(0, at).trim().toLowerCase()] = value.slice(at + 1).trim();
  }
  return headers;
}

function parseFixtures(values: string[] | undefined): Record<string, string> {
  const fixtures: Record<string, string> = {};
  for (const value of values ?? []) {
    const at = value.indexOf('=');
    if (at <= 0) throw new UsageError(`--fixture expects key=value, got "${value}"`);
    fixtures[value.slice(0, at)] = value.slice(at + 1);
  }
  return fixtures;
}

/** Headers that carry credentials whatever the spec: their values are secrets too. */
const CREDENTIAL_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'x-api-key', 'api-key']);

function credentialHeaderSecrets(headers: Record<string, string>): Secret[] {
  return Object.entries(headers)
    .filter(([name]) => CREDENTIAL_HEADERS.has(name))
    .map(([name, value]) => ({ value, variable: `PARLEY_HEADER_${name.toUpperCase().replace(/-/g, '_')}` }));
}

/** One progress line: rewritten in place on a terminal, printed every few seconds otherwise. */
function progressPrinter(): (progress: Progress) => void {
  const interactive = process.stderr.isTTY;
  let lastPrinted = 0;
  return (p) => {
    const line = `[${p.done}/${p.total}] ${p.requests} requests, ${p.failures} failure(s) — ${p.current}`;
    if (interactive) process.stderr.write(`\r\x1b[2K${line.slice(0, (process.stderr.columns ?? 120) - 1)}`);
    else if (Date.now() - lastPrinted > 2000 || p.done === p.total) {
      lastPrinted = Date.now();
      process.stderr.write(`${line}\n`);
    }
  };
}

/**
 * Specs that declare security cannot be tested without credentials: every valid request would be
 * refused and blamed on the target. Say what is missing instead (credential headers given with
 * --header or PARLEY_HEADER_* count as an answer).
 */
function assertCredentialsGiven(
  specs: Spec[],
  credentials: { apiKey?: string; basic?: string; headers: Record<string, string> },
): void {
  if (
    credentials.apiKey !== undefined ||
    credentials.basic !== undefined ||
    Object.keys(credentials.headers).some((name) => CREDENTIAL_HEADERS.has(name))
  )
    return;
  const needing = specs.flatMap((spec) =>
    spec.operations
      .filter((op) => op.security.length > 0)
      .map((op) => `${spec.name} ${op.id}: ${describeSecurity(op)}`),
  );
  if (needing.length === 0) return;
  const shown = needing.slice(0, 5).join('\n  ') + (needing.length > 5 ? `\n  … and ${needing.length - 5} more` : '');
  throw new UsageError(
    `these operations need credentials; pass --api-key (or PARLEY_API_KEY), --basic user:pass, or a credential --header:\n  ${shown}`,
  );
}

const TEST_OPTIONS = {
  target: { type: 'string', short: 't' },
  'api-key': { type: 'string', multiple: true },
  'second-api-key': { type: 'string' },
  basic: { type: 'string' },
  header: { type: 'string', short: 'H', multiple: true },
  seed: { type: 'string' },
  runs: { type: 'string' },
  phases: { type: 'string' },
  'coverage-budget': { type: 'string' },
  'allow-partial': { type: 'boolean' },
  'fail-fast': { type: 'boolean' },
  'max-time': { type: 'string' },
  'request-timeout': { type: 'string' },
  'max-response-size': { type: 'string' },
  concurrency: { type: 'string' },
  only: { type: 'string', multiple: true },
  skip: { type: 'string', multiple: true },
  fixture: { type: 'string', multiple: true },
  rate: { type: 'string' },
  cleanup: { type: 'boolean' },
  'max-response-time': { type: 'string' },
  strict: { type: 'boolean' },
  ...REPORT_FILE_FLAGS,
  'min-coverage': { type: 'string' },
  contract: { type: 'string', multiple: true },
  'no-bundled': { type: 'boolean' },
  'no-generic': { type: 'boolean' },
  ...CACHE_FLAG,
  ...CONFIG_FLAG,
  ...HELP_FLAG,
} as const;

export async function runTestCommand(argv: string[]): Promise<number> {
  tuneV8ForHarness();
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: TEST_OPTIONS });
  if (printedHelp(values.help, TEST_HELP)) return 0;
  const config = await applyConfig('test', values, TEST_OPTIONS);
  const target = parseHttpUrl('target', values.target, 'parley test --target http://127.0.0.1:4010');
  const environment = credentialsFromEnvironment(process.env);
  const [apiKey, secondFromList, ...extra] =
    values['api-key'] ?? (environment.apiKey === undefined ? [] : [environment.apiKey]);
  if (extra.length > 0)
    throw new UsageError(
      '--api-key takes at most two keys: the first, and a second one for the tenant-isolation properties',
    );
  if (secondFromList !== undefined && values['second-api-key'] !== undefined)
    throw new UsageError('give the second key once: --api-key twice or --second-api-key');
  const secondApiKey = secondFromList ?? values['second-api-key'] ?? (process.env.PARLEY_SECOND_API_KEY || undefined);
  if (secondApiKey !== undefined && secondApiKey === apiKey)
    throw new UsageError('the second API key must differ from the first (it stands for another tenant)');
  const headers = { ...Object.fromEntries(environment.headers), ...parseHeaders(values.header) };
  const basic = values.basic ?? (process.env.PARLEY_BASIC || undefined);
  const secrets = [...environment.secrets, ...credentialHeaderSecrets(headers)];
  if (apiKey) secrets.push({ value: apiKey, variable: 'PARLEY_API_KEY' });
  if (secondApiKey) secrets.push({ value: secondApiKey, variable: 'PARLEY_SECOND_API_KEY' });
  if (basic)
    secrets.push(
      { value: basic, variable: 'PARLEY_BASIC' },
      { value: basicToken(basic), variable: 'PARLEY_BASIC_B64' },
    );
  else if (apiKey) secrets.push({ value: basicToken(apiKey), variable: 'PARLEY_BASIC_B64' });
  const ratePerSecond = values.rate === undefined ? undefined : parseRate(values.rate);
  if (values.rate !== undefined && ratePerSecond === undefined)
    throw new UsageError(`--rate expects requests per second such as 20/s or 600/m, got "${values.rate}"`);
  const phases = values.phases === undefined ? undefined : parsePhases(values.phases);
  if (values.phases !== undefined && !phases)
    throw new UsageError(`--phases expects a comma-separated list of ${PHASES.join(', ')}, got "${values.phases}"`);
  const minCoverage = parseNumberOption('min-coverage', values['min-coverage'], { min: 0, max: 100 });
  const tuning = {
    seed: parseNumberOption('seed', values.seed, { integer: true }),
    runs: parseNumberOption('runs', values.runs, { min: 1, integer: true }),
    maxTimeMs: parseDuration('max-time', values['max-time']),
    requestTimeoutMs: parseNumberOption('request-timeout', values['request-timeout'], { min: 1, integer: true }),
    maxResponseBytes: parseByteSize('max-response-size', values['max-response-size'], { min: 1 }),
    concurrency: parseNumberOption('concurrency', values.concurrency, { min: 1, max: 64, integer: true }),
  };
  const fixtures = parseFixtures(values.fixture);
  const configSpecs = config.specFiles();
  const specs = await loadSpecs(
    positionals.length > 0 ? positionals : configSpecs.length > 0 ? configSpecs : bundledSpecFiles(),
  );
  for (const spec of specs)
    for (const warning of spec.warnings) process.stderr.write(`parley test: ${spec.file}: warning: ${warning}\n`);
  assertCredentialsGiven(specs, { apiKey, basic, headers });
  const progress = progressPrinter();
  let report: Report;
  try {
    report = await runContract({
      target,
      specs,
      contracts: await contractsFor(config, specs, values.contract ?? [], values['no-bundled'] === true),
      checks: checkRegistryFor(config),
      apiKey,
      secondApiKey,
      basic,
      headers,
      ratePerSecond,
      cleanup: values.cleanup === true,
      ...tuning,
      phases,
      coverageBudget: parseNumberOption('coverage-budget', values['coverage-budget'], { min: 0, integer: true }),
      failFast: values['fail-fast'] === true,
      maxResponseTimeMs: parseDuration('max-response-time', values['max-response-time']),
      strict: values.strict === true,
      generic: values['no-generic'] !== true,
      only: values.only,
      skip: values.skip,
      fixtures,
      onProgress: progress,
    });
  } catch (error) {
    if (process.stderr.isTTY) process.stderr.write('\n');
    if (
      error instanceof TargetUnreachableError ||
      error instanceof UnknownSelectionError ||
      error instanceof EmptySelectionError
    )
      throw new UsageError(error.message);
    throw error;
  }
  if (process.stderr.isTTY) process.stderr.write('\n');
  const shown = redactSecrets(report, secrets);
  const shortfall = minCoverage === undefined ? undefined : coverageShortfall(report.coverage, minCoverage);
  const format = { replayCommand: (failure: Failure) => `parley test ${replayArguments(failure).join(' ')}` };
  process.stdout.write(formatReport(shown, format));
  if (shortfall) process.stdout.write(`FAILED: ${shortfall}\n`);
  await writeReportFiles(values, {
    junit: () => toJUnit(shown, format),
    json: () => `${JSON.stringify(withReplayCommands(shown), null, 2)}\n`,
    html: () => testReportHtml(shown, { coverageShortfall: shortfall, ...format }),
  });
  return exitCode(report, { allowPartial: values['allow-partial'] === true, coverageShortfall: shortfall });
}

/**
 * The contracts of a run, first match first: --contract files, the config's contracts and modules,
 * then the bundled modules' (left out with --no-bundled: every spec is tested generically).
 */
async function contractsFor(
  config: LoadedConfig,
  specs: readonly Spec[],
  contractFiles: readonly string[],
  noBundled: boolean,
): Promise<ApiContract[]> {
  const fromFiles: ApiContract[] = [];
  for (const file of contractFiles) fromFiles.push(...(await loadContractFile(file)));
  return [
    ...fromFiles,
    ...(config.config.contracts ?? []),
    ...contractsOf(config.apis(specs)),
    ...(noBundled ? [] : contractsOf(BUNDLED_APIS)),
  ];
}

/** The built-in checks and the config's, in one registry: selected by name alike. */
function checkRegistryFor(config: LoadedConfig): CheckRegistry {
  const registry = defaultCheckRegistry();
  for (const check of config.config.checks ?? []) {
    if (registry.has(check.name))
      throw new ConfigError(`config ${config.file}: a check named ${check.name} already exists; pick another name`);
    registry.register(check);
  }
  return registry;
}

/**
 * 3 when the run did not finish (unless --allow-partial: then what ran is judged); 1 on failures,
 * flaky ones, or coverage below --min-coverage; 0 when the target conforms.
 */
export function exitCode(report: Report, gate: { allowPartial: boolean; coverageShortfall?: string }): number {
  if (verdictOf(report) === 'incomplete' && !gate.allowPartial) return 3;
  return report.failures.length > 0 || report.flaky.length > 0 || gate.coverageShortfall ? 1 : 0;
}

/** The flags that run just the failing operation and check again, in its phase, with its seed. */
export function replayArguments(failure: Failure): string[] {
  const { seed, phase, only } = failure.replay;
  return [
    '--seed',
    String(seed),
    '--phases',
    phase,
    ...only.flatMap((name) => ['--only', /^[\w.-]+$/.test(name) ? name : `'${name.replace(/'/g, `'\\''`)}'`]),
  ];
}

/** The JSON report, each failure carrying the command line that replays it. */
function withReplayCommands(report: Report): Report & { failures: (Failure & { replayCommand: string })[] } {
  const add = (failure: Failure) => ({
    ...failure,
    replayCommand: `parley test ${replayArguments(failure).join(' ')}`,
  });
  return {
    ...report,
    failures: report.failures.map(add),
    flaky: report.flaky.map((f) => ({ ...f, failure: add(f.failure) })),
  };
}
