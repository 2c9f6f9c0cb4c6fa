/** `parley proxy --upstream <url> [spec files...]`: a validating, recording proxy in front of a real server. */
import { parseArgs } from 'node:util';
import { coverageShortfall } from '../coverage/format.js';
import { proxyReportHtml } from '../proxy/html.js';
import { proxyToJUnit, formatProxySummary } from '../proxy/report.js';
import { Recorder } from '../proxy/recorder.js';
import { DEFAULT_CAPTURE_BYTES, startProxy, VIOLATIONS_HEADER, VIOLATIONS_PATH } from '../proxy/server.js';
import { applyConfig, CONFIG_FLAG } from './config-flags.js';
import { mockPartsFrom, specFilesFor } from './mock-parts.js';
import { loadSpecs } from '../openapi/load.js';
import { parseByteSize, parseHttpUrl, parseNumberOption, UsageError } from './usage-error.js';
import {
  HELP_FLAG,
  printedHelp,
  REPORT_FILE_FLAGS,
  writeReportFiles,
  CACHE_FLAG,
  cacheHelpLine,
} from './command-line.js';

export const PROXY_HELP = `Usage: parley proxy --upstream <url> [spec files...] [options]

Forwards every request to the upstream unchanged and checks each request and answer against the
operation it matches in the specs (default: the bundled Feather, Julep and ElizaOS specs).
Violations are listed at GET ${VIOLATIONS_PATH} and counted in a ${VIOLATIONS_HEADER} header on
every answer. Stop it with Ctrl-C (SIGINT) or SIGTERM: it prints what the traffic covered of the
specs, writes the reports and exits 1 when it saw any violation (or coverage below --min-coverage),
0 otherwise, 2 on bad usage.

Options:
  -u, --upstream <url>      the real server (http:// or https://), required
  -p, --port <n>            port to listen on (default 4020; 0 picks a free one)
      --host <addr>         address to bind (default 127.0.0.1)
      --record <dir>        keep each distinct answer: <dir>/<spec>.json (the spec with them as
                            named examples, for parley mock) and <dir>/records.json (records seen,
                            for POST /__parley/state)
      --fallback mock       answer operations the upstream lacks (404/405/501 it does not
                            document) with the stateful mock
      --max-body <size>     bytes of each body kept for checks and reports (default 1mb); longer
                            bodies are still forwarded whole
      --upstream-timeout <ms> deadline for the upstream's answer (default 30000)
      --min-coverage <pct>  exit 1 when the traffic exercised less than this share of what the
                            specs document (statuses, response content types, parameters)
      --junit <file>        write a JUnit XML report on exit
      --json <file>         write the full report as JSON on exit (coverage included)
      --html <file>         write one self-contained HTML page on exit: verdict, violations with
                            their exchange, warnings, coverage, response times
${cacheHelpLine()}
      --config <file>       config file (default: parley.config.* in the working directory): specs,
                            flag defaults under "proxy", and for --fallback mock the behaviours
                            and fixtures as parley mock takes them
  -h, --help                show this help
`;

const PROXY_OPTIONS = {
  upstream: { type: 'string', short: 'u' },
  port: { type: 'string', short: 'p' },
  host: { type: 'string' },
  record: { type: 'string' },
  fallback: { type: 'string' },
  'max-body': { type: 'string' },
  'upstream-timeout': { type: 'string' },
  ...REPORT_FILE_FLAGS,
  'min-coverage': { type: 'string' },
  ...CACHE_FLAG,
  ...CONFIG_FLAG,
  ...HELP_FLAG,
} as const;

export async function runProxyCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: PROXY_OPTIONS });
  if (printedHelp(values.help, PROXY_HELP)) return 0;
  const config = await applyConfig('proxy', values, PROXY_OPTIONS);
  const upstream = parseHttpUrl('upstream', values.upstream, 'parley proxy --upstream https://sandbox.example.com');
  if (values.fallback !== undefined && values.fallback !== 'mock')
    throw new UsageError(`--fallback expects "mock", got "${values.fallback}"`);
  const minCoverage = parseNumberOption('min-coverage', values['min-coverage'], { min: 0, max: 100 });
  const recorder = values.record ? new Recorder(values.record) : undefined;
  const specFiles = specFilesFor(positionals, config);
  // Loaded here (not by the proxy) so the config's behaviours can be checked against the operations.
  const specs = await loadSpecs(specFiles);
  const proxy = await startProxy({
    upstream,
    specFiles,
    specs,
    port: parseNumberOption('port', values.port, { min: 0, max: 65535, integer: true }),
    host: values.host,
    fallback: values.fallback === 'mock' ? 'mock' : undefined,
    fallbackParts: mockPartsFrom(config, specs),
    recorder,
    captureBytes: parseByteSize('max-body', values['max-body']) ?? DEFAULT_CAPTURE_BYTES,
    upstreamTimeoutMs: parseNumberOption('upstream-timeout', values['upstream-timeout'], { min: 1, integer: true }),
  });
  process.stdout.write(`parley proxy listening on ${proxy.url} → ${upstream}\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await proxy.close();
  const report = proxy.log.report();
  const shortfall = minCoverage === undefined ? undefined : coverageShortfall(report.coverage, minCoverage);
  process.stdout.write(formatProxySummary(report));
  if (shortfall) process.stdout.write(`FAILED: ${shortfall}\n`);
  await writeReportFiles(values, {
    junit: () => proxyToJUnit(report),
    json: () => `${JSON.stringify(report, null, 2)}\n`,
    html: () => proxyReportHtml(report, { coverageShortfall: shortfall }),
  });
  if (recorder) {
    const summary = await recorder.write();
    process.stdout.write(
      `recorded ${summary.examples.length} example(s) and ${summary.records} record(s) in ${values.record}\n`,
    );
  }
  return report.violations > 0 || shortfall ? 1 : 0;
}
