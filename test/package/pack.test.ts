/**
 * The package as a user gets it: `npm pack`, installed into an empty project, a TypeScript file that
 * imports the mock, runContract and the contract-authoring helpers type-checked against the shipped
 * .d.ts and run.
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ensureBuilt } from '../helpers/build.js';
import { ROOT } from '../helpers/mock.js';
import { run as runProcess, spawnUntil, stopProcess } from '../helpers/processes.js';
import type { Report } from '../../src/contract/types.js';

const run = promisify(execFile);
const TSC = path.join(ROOT, 'node_modules/typescript/bin/tsc');

let project: string;
let packed: string[];

beforeAll(async () => {
  ensureBuilt();
  project = await mkdtemp(path.join(os.tmpdir(), 'parley-pack-'));
  const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', project], {
    cwd: ROOT,
  });
  const [{ filename, files }] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
  packed = files.map((file) => file.path);
  await writeFile(
    path.join(project, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
  );
  await run(
    'npm',
    ['install', path.join(project, filename), '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts'],
    { cwd: project },
  );
  await cp(path.join(ROOT, 'test/package/consumer/index.ts'), path.join(project, 'index.ts'));
  await cp(path.join(ROOT, 'test/package/consumer/parley.config.ts'), path.join(project, 'parley.config.ts'));
  await cp(path.join(ROOT, 'test/fixtures/crud-3.1.yaml'), path.join(project, 'notes.yaml'));
  await writeFile(
    path.join(project, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        strict: true,
        outDir: 'out',
        types: ['node'],
        typeRoots: [path.join(ROOT, 'node_modules/@types')],
      },
      files: ['index.ts', 'parley.config.ts'],
    }),
  );
}, 180_000);

afterAll(async () => {
  if (project) await rm(project, { recursive: true, force: true });
});

describe('the packed package', () => {
  test('ships the build, its declarations and the bundled specs, and no tests or benches', () => {
    expect(packed).toContain('dist/src/index.js');
    expect(packed).toContain('dist/src/index.d.ts');
    expect(packed).toContain('specs/feather.yaml');
    expect(packed).toContain('bin/parley.js');
    expect(packed.filter((file) => /^(test|bench|src)\//.test(file) || file.startsWith('dist/test/'))).toEqual([]);
  });

  test('a user file type-checks against the shipped types and runs a user contract against the mock', async () => {
    await run(process.execPath, [TSC, '-p', project], { cwd: project });
    expect(await readdir(path.join(project, 'out'))).toContain('index.js');
    const { stdout } = await run(process.execPath, [path.join(project, 'out/index.js')], {
      cwd: project,
      timeout: 120_000,
    });
    const result = JSON.parse(stdout.trim().split('\n').at(-1)!);
    expect(result.failed).toEqual([]);
    expect(result.requests).toBeGreaterThan(0);
    expect(result.userSequenceRuns).toBeGreaterThan(0);
  }, 180_000);

  test('the installed CLI runs the project config: its spec, flag defaults, user check and user contract', async () => {
    const bin = path.join(project, 'node_modules/.bin/parley');
    const mock = await spawnUntil(bin, ['mock'], /listening on (http:\/\/127\.0\.0\.1:\d+)/, 60_000, project);
    try {
      const json = path.join(project, 'report.json');
      const result = await runProcess(bin, ['test', '--target', mock.match[1], '--json', json], 120_000, project);
      expect(result.code, result.stdout + result.stderr).toBe(0);
      expect(result.stdout).toMatch(/\(seed 5\): the target conforms/);
      const report: Report = JSON.parse(await readFile(json, 'utf8'));
      const passed = (check: string) =>
        report.tallies.filter((tally) => tally.check === check).reduce((sum, tally) => sum + tally.passed, 0);
      expect(passed('acme.created_has_id')).toBeGreaterThan(0);
      expect(passed('acme.create_then_read')).toBeGreaterThan(0);
    } finally {
      await stopProcess(mock.child);
    }
  }, 180_000);

  test('a type error in a user file is caught by the shipped types', async () => {
    await writeFile(
      path.join(project, 'bad.ts'),
      "import { runContract } from 'parley';\nawait runContract({ target: 42 });\n",
    );
    const failed = await run(
      process.execPath,
      [
        TSC,
        '--noEmit',
        '--strict',
        '--module',
        'NodeNext',
        '--moduleResolution',
        'NodeNext',
        '--target',
        'ES2022',
        '--types',
        'node',
        '--typeRoots',
        path.join(ROOT, 'node_modules/@types'),
        'bad.ts',
      ],
      { cwd: project },
    ).then(
      () => '',
      (error: { stdout: string }) => error.stdout,
    );
    expect(failed).toMatch(/bad\.ts.*error TS2322/s);
  }, 60_000);
});
