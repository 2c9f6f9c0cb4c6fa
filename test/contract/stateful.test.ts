/**
 * Issue #10, generic stateful properties: with no hand-written contract, the collections of
 * crud-3.1.yaml are found from the paths and each property holds against the parley mock and a
 * correct hand-written server, and catches the one bug of each faulty variant in every seed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectionsOf } from '../../src/contract/generic-contract.js';
import { runContract } from '../../src/contract/runner.js';
import type { Report } from '../../src/contract/types.js';
import { loadSpecs } from '../../src/openapi/load.js';
import type { RunningMock } from '../../src/mock/server.js';
import { startNotesServer, type NotesBug, type NotesServer } from '../faulty/notes-server.js';
import { fixtureFile, startSpecMock } from '../helpers/mock.js';

const SPEC = fixtureFile('crud-3.1.yaml');
const KEYS = ['key-alpha', 'key-beta'];
const SEEDS = [1, 2, 3, 4, 5];
const SEQUENCES = [
  'crud.ensure_resource_availability',
  'crud.use_after_free',
  'crud.unique_ids',
  'crud.echo',
  'crud.repeated_create',
  'crud.tenant_isolation',
];

let notes: NotesServer;
let mock: RunningMock;

beforeAll(async () => {
  notes = await startNotesServer(KEYS);
  mock = await startSpecMock([SPEC], { apiKeys: KEYS });
});

afterAll(async () => {
  await notes?.close();
  await mock?.close();
});

const describeFailures = (report: Report) =>
  report.failures.map((f) => `${f.operation} ${f.check}: ${f.message}\n  ${f.curl}`).join('\n');
const passed = (report: Report, check: string) =>
  report.tallies.filter((t) => t.check === check).reduce((sum, t) => sum + t.passed, 0);

function run(target: string, seed: number, only = SEQUENCES): Promise<Report> {
  return runContract({
    target,
    specFiles: [SPEC],
    apiKey: KEYS[0],
    secondApiKey: KEYS[1],
    seed,
    runs: 10,
    only,
    requestTimeoutMs: 5000,
  });
}

describe('generic stateful properties', () => {
  it('finds the notes collection: create, read and delete, id in "id"', async () => {
    const [spec] = await loadSpecs([SPEC]);
    expect(collectionsOf(spec).map((c) => [c.create.id, c.read?.id, c.remove?.id, c.idField, c.createdStatus])).toEqual(
      [['createNote', 'getNote', 'deleteNote', 'id', 201]],
    );
  });

  it('hold against the parley mock and the correct server, every property exercised (5 seeds)', async () => {
    for (const target of [mock.url, notes.url]) {
      notes.bug = 'none';
      for (const seed of SEEDS) {
        const report = await run(target, seed);
        expect(report.failures, `${target} seed ${seed}\n${describeFailures(report)}`).toEqual([]);
        for (const sequence of SEQUENCES)
          expect(passed(report, sequence), `${sequence} seed ${seed}`).toBeGreaterThan(0);
      }
    }
  });

  const CAUGHT_BY: [NotesBug, string, RegExp][] = [
    ['duplicate_ids', 'crud.unique_ids', /already given to create #1/],
    ['soft_delete_leaks', 'crud.use_after_free', /after its DELETE, fetching the resource answered 200/],
    ['replica_lag', 'crud.ensure_resource_availability', /fetching the resource just created .* answered 404/],
    ['wrong_default', 'crud.echo', /pinned is true/],
    ['shared_tenants', 'crud.tenant_isolation', /with the second key answered 200/],
    ['unique_text_500', 'crud.repeated_create', /identical create answered 500/],
  ];

  for (const [bug, check, message] of CAUGHT_BY) {
    it(`${bug} is caught by ${check} in every seed`, async () => {
      notes.bug = bug;
      for (const seed of SEEDS) {
        const report = await run(notes.url, seed);
        const failure = report.failures.find((f) => f.check === check);
        expect(failure, `seed ${seed}: ${describeFailures(report)}`).toBeDefined();
        expect(failure!.message).toMatch(message);
      }
    });
  }

  it('a server that only checks that a key is present fails ignored_auth in every seed; the correct one passes', async () => {
    for (const [bug, failing] of [
      ['any_key_accepted', true],
      ['none', false],
    ] as const) {
      notes.bug = bug;
      for (const seed of SEEDS) {
        const report = await run(notes.url, seed, ['ignored_auth', 'createNote', 'getNote']);
        const failures = report.failures.filter((f) => f.check === 'ignored_auth');
        expect(failures.length > 0, `${bug} seed ${seed}`).toBe(failing);
        if (failing) expect(failures[0].message).toMatch(/answered 20\d to a key it cannot know/);
        else expect(passed(report, 'ignored_auth')).toBeGreaterThan(0);
      }
    }
  });
});
