/**
 * `parley diff` through the CLI, one pair of small specs per kind of change (the categories oasdiff's
 * breaking-changes checks and Specmatic's backward-compatibility check report): exit code, which
 * changes are found and which of them break clients, and the text and JUnit forms.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DiffReport } from '../../src/diff/change.js';
import { ensureBuilt } from '../helpers/build.js';
import { ROOT, fixtureFile } from '../helpers/mock.js';
import { run } from '../helpers/processes.js';

const BIN = path.join(ROOT, 'bin/parley.js');
const diff = (...args: string[]) => run(process.execPath, [BIN, 'diff', ...args], 60_000, ROOT);
const pair = (category: string) => [fixtureFile(`diff/${category}/old.yaml`), fixtureFile(`diff/${category}/new.yaml`)];

/** Each category's expected changes: "BREAKING|ok id operation @ location". */
const CATEGORIES: Record<string, string[]> = {
  'no-change': [],
  'path-parameter-renamed': [],
  'operation-removed': ['BREAKING operation-removed DELETE /pets/{petId} @ operation'],
  'operation-added': ['ok operation-added PUT /pets/{petId} @ operation'],
  'parameter-added-required': ['BREAKING request-parameter-added-required GET /pets @ query parameter owner'],
  'parameter-added-optional': ['ok request-parameter-added GET /pets @ query parameter owner'],
  'parameter-became-required': ['BREAKING request-parameter-became-required GET /pets @ query parameter limit'],
  'parameter-removed': ['ok request-parameter-removed GET /pets @ query parameter limit'],
  'parameter-max-decreased': ['BREAKING request-parameter-max-decreased GET /pets @ query parameter limit'],
  'request-new-required-property': ['BREAKING request-body-new-required-property POST /pets @ request body owner'],
  'request-property-became-required': ['BREAKING request-body-property-became-required POST /pets @ request body tag'],
  // readOnly properties are never sent, so requiring one asks nothing more of clients.
  'request-readonly-became-required': [],
  'request-body-became-required': ['BREAKING request-body-became-required POST /pets @ request body'],
  'request-max-length-decreased': [
    'BREAKING request-body-max-length-decreased POST /pets @ request body name',
    // The same schema answers: fewer possible values are harmless to clients reading them.
    'ok response-body-max-length-decreased GET /pets @ response 200 body [].name',
    'ok response-body-max-length-decreased POST /pets @ response 201 body name',
    'ok response-body-max-length-decreased GET /pets/{petId} @ response 200 body name',
  ],
  'request-bound-widened': ['ok request-body-max-increased POST /pets @ request body age'],
  'request-min-increased': ['BREAKING request-body-min-increased POST /pets @ request body age'],
  'request-enum-value-removed': ['BREAKING request-body-enum-value-removed POST /pets @ request body kind'],
  'request-enum-value-added': ['ok request-body-enum-value-added POST /pets @ request body kind'],
  'request-type-changed': ['BREAKING request-body-type-changed POST /pets @ request body tag'],
  'request-pattern-set': ['BREAKING request-body-pattern-set POST /pets @ request body tag'],
  'request-additional-properties-refused': [
    'BREAKING request-body-additional-properties-refused POST /pets @ request body',
  ],
  'request-oneof-branch-removed': [
    'BREAKING request-body-oneof-branch-removed POST /pets @ request body tag',
    'ok response-body-oneof-branch-removed GET /pets @ response 200 body [].tag',
    'ok response-body-oneof-branch-removed POST /pets @ response 201 body tag',
    'ok response-body-oneof-branch-removed GET /pets/{petId} @ response 200 body tag',
  ],
  'request-media-type-removed': [
    'BREAKING request-media-type-removed POST /pets @ request application/json',
    'ok request-media-type-added POST /pets @ request application/x-www-form-urlencoded',
  ],
  'response-enum-value-added': ['BREAKING response-body-enum-value-added GET /pets @ response 200 body [].kind'],
  'response-type-changed': ['BREAKING response-body-type-changed GET /pets @ response 200 body [].age'],
  'response-required-property-removed': [
    'BREAKING response-body-property-removed GET /pets @ response 200 body [].name',
  ],
  'response-optional-property-removed': ['ok response-body-property-removed GET /pets @ response 200 body [].tag'],
  'response-property-became-optional': [
    'BREAKING response-body-property-became-optional GET /pets @ response 200 body [].name',
  ],
  'response-property-added': ['ok response-body-property-added GET /pets @ response 200 body [].color'],
  'response-became-nullable': ['BREAKING response-body-became-nullable GET /pets @ response 200 body [].name'],
  'response-max-length-increased': [
    'BREAKING response-body-max-length-increased GET /pets @ response 200 body [].name',
  ],
  'response-success-status-removed': [
    'BREAKING response-success-status-removed POST /pets @ response 201',
    'ok response-success-status-added POST /pets @ response 200',
  ],
  'response-error-status-removed': ['ok response-status-removed GET /pets/{petId} @ response 404'],
  'response-header-removed': ['BREAKING response-header-removed POST /pets @ response 201 header Location'],
  'security-added': ['GET /pets', 'POST /pets', 'GET /pets/{petId}', 'DELETE /pets/{petId}'].map(
    (op) => `BREAKING security-added ${op} @ security`,
  ),
  'security-changed': ['GET /pets', 'POST /pets', 'GET /pets/{petId}', 'DELETE /pets/{petId}'].map(
    (op) => `BREAKING security-changed ${op} @ security`,
  ),
  'security-alternative-added': ['GET /pets', 'POST /pets', 'GET /pets/{petId}', 'DELETE /pets/{petId}'].map(
    (op) => `ok security-alternative-added ${op} @ security`,
  ),
  // OpenAPI 3.0's boolean exclusiveMaximum and nullable; integer → number widens a response.
  'openapi-3.0-bounds': [
    'BREAKING request-body-max-decreased POST /scores @ request body value',
    'BREAKING request-body-became-not-nullable POST /scores @ request body note',
    'BREAKING response-body-type-changed POST /scores @ response 201 body rank',
  ],
};

const summarise = (report: DiffReport) =>
  report.changes.map((c) => `${c.breaking ? 'BREAKING' : 'ok'} ${c.id} ${c.operation} @ ${c.location}`);

beforeAll(() => ensureBuilt(), 120_000);

describe('parley diff, one pair of specs per category', () => {
  it.each(Object.entries(CATEGORIES))('%s', async (category, expected) => {
    const result = await diff(...pair(category), '--format', 'json');
    expect(result.stderr).toBe('');
    const report = JSON.parse(result.stdout) as DiffReport;
    expect(summarise(report).sort()).toEqual([...expected].sort());
    const breaking = expected.filter((line) => line.startsWith('BREAKING')).length;
    expect(report.breaking).toBe(breaking);
    expect(result.code).toBe(breaking > 0 ? 1 : 0);
  });

  it('compares in both directions: a change that widens requests narrows them when read backwards', async () => {
    const [older, newer] = pair('request-enum-value-added');
    const result = await diff(newer, older, '--format', 'json');
    expect(result.code).toBe(1);
    expect(summarise(JSON.parse(result.stdout))).toEqual([
      'BREAKING request-body-enum-value-removed POST /pets @ request body kind',
    ]);
  });
});

describe('parley diff output', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'parley-diff-'));
  });

  it('prints breaking changes apart from the rest, and writes JSON and JUnit files', async () => {
    const json = path.join(dir, 'diff.json');
    const junit = path.join(dir, 'diff.xml');
    const result = await diff(...pair('request-media-type-removed'), '--json', json, '--junit', junit);
    expect(result.code).toBe(1);
    const [breaking, rest] = result.stdout.split('Non-breaking changes');
    expect(breaking).toMatch(
      /Breaking changes \(1\):\n {2}POST \/pets {2}request application\/json: application\/json no longer accepted {2}\[request-media-type-removed\]/,
    );
    expect(rest).toMatch(/x-www-form-urlencoded now accepted/);
    expect(result.stdout.trimEnd().endsWith('1 breaking change(s) for clients of the old version')).toBe(true);

    const report = JSON.parse(await readFile(json, 'utf8')) as DiffReport;
    expect(report.breaking).toBe(1);
    expect(report.old.version).toBe('1.0.0');
    expect(report.new.version).toBe('1.1.0');

    const xml = await readFile(junit, 'utf8');
    expect(xml).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="parley diff" tests="1" failures="1">/,
    );
    expect(xml).toContain(
      '<testcase classname="diff" name="POST /pets">\n      <failure message="1 breaking change(s): request application/json: application/json no longer accepted">',
    );
    expect(xml.match(/<failure /g)).toHaveLength(1);
  });

  it('says so when nothing changed, and exits 0 on non-breaking changes alone', async () => {
    const same = await diff(...pair('no-change'));
    expect(same.code).toBe(0);
    expect(same.stdout.trimEnd().endsWith('no changes')).toBe(true);
    const added = await diff(...pair('operation-added'));
    expect(added.code).toBe(0);
    expect(added.stdout).toMatch(/Non-breaking changes \(1\):\n {2}PUT \/pets\/\{petId\} {2}operation: new operation/);
    expect(added.stdout).not.toMatch(/Breaking changes/);
  });

  it('exits 2 with a clear message on bad usage or an unreadable spec', async () => {
    const one = await diff(pair('no-change')[0]);
    expect(one.code).toBe(2);
    expect(one.stderr).toMatch(/parley diff: expects two spec files/);
    const missing = await diff(pair('no-change')[0], path.join(dir, 'missing.yaml'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/missing\.yaml/);
    const format = await diff(...pair('no-change'), '--format', 'xml');
    expect(format.code).toBe(2);
    expect(format.stderr).toMatch(/--format expects text or json/);
  });
});
