/** The spec cache as a CLI user meets it: PARLEY_CACHE_DIR, --no-cache, PARLEY_CACHE=0, and the same answers warm. */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../helpers/build.js';
import { fixtureFile, ROOT, withSpecMock } from '../helpers/mock.js';

const BIN = path.join(ROOT, 'bin/parley.js');

let workDir: string;
let cacheDir: string;

beforeAll(() => ensureBuilt(), 120_000);
beforeEach(() => {
  workDir = mkdtempSync(path.join(os.tmpdir(), 'parley-cache-cli-'));
  cacheDir = path.join(workDir, 'cache');
});
afterEach(() => rmSync(workDir, { recursive: true, force: true }));

function parley(args: string[], env: Record<string, string> = {}) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: ROOT, timeout: 60_000, env: { ...process.env, NO_COLOR: '1', PARLEY_CACHE_DIR: cacheDir, ...env } },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number((error as { code?: unknown }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const cacheFiles = () => (existsSync(cacheDir) ? readdirSync(cacheDir).sort() : []);
const blobs = () => cacheFiles().filter((name) => name.endsWith('.blob'));

describe('parley validate with the cache', () => {
  it('the first run fills PARLEY_CACHE_DIR, the second gives the same output from it', async () => {
    const specs = [fixtureFile('crud-3.0.yaml'), fixtureFile('keywords-3.1.yaml')];
    const first = await parley(['validate', ...specs]);
    expect(first.code).toBe(0);
    expect(blobs()).toHaveLength(2);
    const written = blobs().map((name) => readFileSync(path.join(cacheDir, name)));
    const second = await parley(['validate', ...specs]);
    expect(second).toEqual(first);
    // A hit rewrites no entry.
    expect(blobs().map((name) => readFileSync(path.join(cacheDir, name)))).toEqual(written);
  });

  it('--no-cache and PARLEY_CACHE=0 write nothing', async () => {
    const spec = fixtureFile('crud-3.0.yaml');
    const flagged = await parley(['validate', '--no-cache', spec]);
    expect(flagged.code).toBe(0);
    expect(flagged.stdout).toMatch(/valid OpenAPI 3\.0/);
    expect(existsSync(cacheDir)).toBe(false);
    const off = await parley(['validate', spec], { PARLEY_CACHE: '0' });
    expect(off.stdout).toBe(flagged.stdout);
    expect(existsSync(cacheDir)).toBe(false);
  });

  it('a damaged entry is said on stderr and rebuilt; the output is unchanged', async () => {
    const spec = fixtureFile('crud-3.0.yaml');
    const first = await parley(['validate', spec]);
    const [blob] = blobs();
    writeFileSync(path.join(cacheDir, blob!), '{"format":1');
    const second = await parley(['validate', spec]);
    expect(second.code).toBe(0);
    expect(second.stdout).toBe(first.stdout);
    expect(second.stderr).toMatch(/spec cache: entry [0-9a-f]{12} is damaged/);
    const third = await parley(['validate', spec]);
    expect(third.stderr).toBe('');
  });

  it('an invalid spec is reported as before and not cached', async () => {
    const broken = path.join(workDir, 'broken.yaml');
    writeFileSync(broken, 'openapi: 3.0.3\ninfo: {title: x}\npaths: {}\n');
    const result = await parley(['validate', broken]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/broken\.yaml/);
    expect(blobs()).toEqual([]);
  });
});

describe('parley test warm and cold', () => {
  it('a run from the cache finds what a run without it finds', async () => {
    const spec = fixtureFile('crud-3.0.yaml');
    await withSpecMock([spec], async (mock) => {
      const args = [
        'test',
        '--target',
        mock.url,
        spec,
        '--seed',
        '11',
        '--phases',
        'examples,coverage',
        '--concurrency',
        '1',
      ];
      const cold = await parley([...args, '--no-cache']);
      expect(existsSync(cacheDir)).toBe(false);
      await parley(args); // fills the cache: the spec, and the validators the run compiled (an entry and its part)
      expect(blobs()).toHaveLength(3);
      const filled = blobs().map((name) => readFileSync(path.join(cacheDir, name)));
      const warm = await parley(args);
      const summary = (output: string) =>
        output
          .replace(/ in [\d.]+m?s /g, ' in T ')
          .split('\n')
          .filter((line) => /requests, \d+ checks|total/.test(line));
      expect(warm.code).toBe(cold.code);
      expect(summary(warm.stdout)).toEqual(summary(cold.stdout));
      expect(summary(warm.stdout).length).toBeGreaterThan(0);
      // The warm run compiled nothing new: no entry rewritten.
      expect(blobs().map((name) => readFileSync(path.join(cacheDir, name)))).toEqual(filled);
    });
  });
});

describe('--help', () => {
  it.each(['mock', 'test', 'proxy', 'diff'])('parley %s --help names --no-cache', async (command) => {
    const result = await parley([command, '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/--no-cache +load the specs without the on-disk cache of specs and validators/);
  });
});
