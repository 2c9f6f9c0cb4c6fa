/**
 * Spec loading, as a CLI run pays it: each load in a fresh process (`parley validate`), timed from
 * spawn to exit and, inside, the load alone, then the validators of every schema the specs' operations
 * name (what a full `parley test` compiles). Cold is the first load into an empty cache directory
 * (swagger-parser parses, validates and dereferences; ajv compiles); warm is the median of the
 * loads after it (both from the cache).
 * `PARLEY_BENCH_SPEC=<file>` adds a large spec of your own (e.g. Stripe's spec3.json), with peak RSS.
 * Afterwards the bundled specs are in the default cache, so the harness's default run starts warm.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const BUNDLED = ['feather', 'julep', 'eliza'].map((name) => path.join(root, 'specs', `${name}.yaml`));
const WARM_RUNS = 5;

/** Loads the files in a child and prints how long `loadSpecs` took; the parent times the whole process. */
const LOADER = `
const { loadSpecs } = await import(${JSON.stringify(new URL('../../dist/src/openapi/load.js', import.meta.url).href)});
const { validatorOf } = await import(${JSON.stringify(new URL('../../dist/src/openapi/validator.js', import.meta.url).href)});
const started = performance.now();
const specs = await loadSpecs(process.argv.slice(1));
const loadMs = performance.now() - started;
const compileStarted = performance.now();
let schemas = 0;
for (const spec of specs) {
  const validator = validatorOf(spec);
  const pointers = new Set();
  for (const operation of spec.operations) {
    for (const parameter of operation.parameters) pointers.add(parameter.schemaPointer);
    for (const media of operation.requestBody?.content ?? []) pointers.add(media.schemaPointer);
    for (const response of operation.responses) {
      for (const media of response.content) pointers.add(media.schemaPointer);
      for (const header of response.headerSpecs) pointers.add(header.schemaPointer);
    }
  }
  pointers.delete(undefined);
  for (const pointer of pointers) validator.compile(pointer);
  schemas += pointers.size;
}
const validatorsMs = performance.now() - compileStarted;
const peakRssBytes = process.resourceUsage().maxRSS * 1024;
process.stdout.write(JSON.stringify({ loadMs, validatorsMs, schemas, peakRssBytes, operations: specs.reduce((n, s) => n + s.operations.length, 0) }));
`;

export async function measureSpecLoading() {
  const sets = [{ label: 'bundled specs (Feather, Julep, ElizaOS)', files: BUNDLED }];
  if (process.env.PARLEY_BENCH_SPEC)
    sets.push({ label: path.basename(process.env.PARLEY_BENCH_SPEC), files: [process.env.PARLEY_BENCH_SPEC] });
  const results = [];
  for (const set of sets) {
    const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'parley-bench-cache-'));
    try {
      const cold = await loadInChild(set.files, { PARLEY_CACHE_DIR: cacheDir });
      const warm = [];
      for (let run = 0; run < WARM_RUNS; run++) warm.push(await loadInChild(set.files, { PARLEY_CACHE_DIR: cacheDir }));
      results.push({ label: set.label, operations: cold.operations, schemas: cold.schemas, cold, warm: median(warm) });
    } finally {
      rmSync(cacheDir, { recursive: true, force: true });
    }
  }
  // The default cache, as `parley test` finds it in this checkout.
  await loadInChild(BUNDLED, {});
  return results;
}

function loadInChild(files, env) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['--input-type=module', '-e', LOADER, ...files], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`loading ${files.join(' ')} exited with ${code}:\n${stderr}`));
      const { loadMs, validatorsMs, schemas, peakRssBytes, operations } = JSON.parse(stdout);
      resolve({ loadMs, validatorsMs, schemas, wallMs: performance.now() - started, peakRssBytes, operations });
    });
  });
}

function median(runs) {
  const middle = (key) => runs.map((run) => run[key]).sort((a, b) => a - b)[runs.length >> 1];
  return {
    loadMs: middle('loadMs'),
    validatorsMs: middle('validatorsMs'),
    wallMs: middle('wallMs'),
    peakRssBytes: middle('peakRssBytes'),
  };
}

export function renderSpecLoading(results, { mib, formatNumber, table, verdict }) {
  return [
    '### Spec loading (each load a fresh process; cold: empty cache, warm: median of the next five)',
    '',
    table(
      [
        'Specs',
        'operations',
        'schemas',
        'cold load / validators ms',
        'cold wall ms',
        'warm load / validators ms',
        'warm wall ms',
        'peak RSS MiB cold / warm',
        'warm load < 200 ms',
      ],
      results.map((row) => [
        row.label,
        formatNumber(row.operations),
        formatNumber(row.schemas),
        `${formatNumber(row.cold.loadMs)} / ${formatNumber(row.cold.validatorsMs)}`,
        formatNumber(row.cold.wallMs),
        `${formatNumber(row.warm.loadMs)} / ${formatNumber(row.warm.validatorsMs)}`,
        formatNumber(row.warm.wallMs),
        `${formatNumber(mib(row.cold.peakRssBytes))} / ${formatNumber(mib(row.warm.peakRssBytes))}`,
        verdict(row.warm.loadMs < 200),
      ]),
    ),
    '',
  ];
}
