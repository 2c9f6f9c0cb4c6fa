/**
 * The coverage model against test/fixtures/coverage-3.0.yaml, where every number can be counted by hand:
 * listItems documents 2 statuses, 3 media types and 3 parameters (8 items); getItem 3 statuses, 1 media
 * type, 1 parameter (5); createItem 2 statuses, 1 media type and, once declared, 3 constraints × 2 sides (9).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { CoverageModel, parametersPresent, type OperationCoverage } from '../../src/coverage/model.js';
import { coverageShortfall, formatCoverage } from '../../src/coverage/format.js';
import { loadSpec } from '../../src/openapi/load.js';
import type { Operation, Spec } from '../../src/openapi/types.js';
import { fixtureFile } from '../helpers/mock.js';

let spec: Spec;
const op = (id: string): Operation => spec.operations.find((o) => o.id === id)!;
const item = (
  coverage: OperationCoverage,
  kind: 'statuses' | 'contentTypes' | 'parameters' | 'constraints',
  id: string,
) => coverage[kind].find((i) => i.id === id);

beforeAll(async () => {
  spec = await loadSpec(fixtureFile('coverage-3.0.yaml'));
});

describe('before anything is observed', () => {
  it('lists what each operation documents, none of it covered', () => {
    const summary = new CoverageModel(spec.operations).summary();
    const byId = new Map(summary.operations.map((o) => [o.operation, o]));
    expect(byId.get('listItems')!.statuses.map((i) => i.id)).toEqual(['200', '400']);
    expect(byId.get('listItems')!.contentTypes.map((i) => i.id)).toEqual([
      'application/json',
      'text/csv',
      'application/problem+json',
    ]);
    expect(byId.get('listItems')!.parameters.map((i) => i.id)).toEqual([
      'query.limit',
      'query.cursor',
      'header.x-trace',
    ]);
    expect(byId.get('getItem')!.statuses.map((i) => i.id)).toEqual(['200', '404', 'default']);
    // The same media type on three responses is one thing to cover.
    expect(byId.get('getItem')!.contentTypes.map((i) => i.id)).toEqual(['application/json']);
    expect(byId.get('createItem')!.parameters).toEqual([]);
    expect(summary.totals.overall).toEqual({ covered: 0, total: 8 + 5 + 3, percent: 0 });
    expect(summary.totals.constraints).toEqual({ covered: 0, total: 0, percent: null });
    expect(summary.phases).toEqual([]);
  });
});

describe('after a run of known exchanges', () => {
  let model: CoverageModel;
  beforeAll(() => {
    model = new CoverageModel(spec.operations);
    const list = op('listItems');
    model.observeExchange(
      list,
      'fuzz',
      200,
      'application/json; charset=utf-8',
      parametersPresent(list, { query: ['limit'] }),
    );
    model.observeExchange(list, 'fuzz', 500, 'text/html', []); // undocumented: seen, not coverage
    model.observeExchange(
      list,
      'proxy',
      400,
      'application/problem+json',
      parametersPresent(list, { query: ['limit', 'unknown'], headers: ['X-TRACE', 'accept'] }),
    );
    const get = op('getItem');
    model.observeExchange(get, 'stateful', 404, 'application/json', parametersPresent(get, { path: ['itemId'] }));
    model.observeExchange(get, 'fuzz', 503, 'text/plain', []); // answers as "default"; text/plain is not documented there
    model.observeExchange(get, 'fuzz', undefined, undefined, parametersPresent(get, { path: ['itemId'] })); // no answer: parameters only
    const create = op('createItem');
    model.declareConstraints(create, ['body.name maxLength', 'body.count minimum', 'body.count maximum']);
    model.probe(create, 'body.count maximum', 'invalid', 'coverage');
    model.probe(create, 'body.count maximum', 'valid', 'coverage');
    model.probe(create, 'body.name maxLength', 'invalid', 'fuzz');
    model.observeExchange(create, 'coverage', 422, 'application/json', []);
  });

  it('counts each operation as by hand', () => {
    const summary = model.summary();
    const byId = new Map(summary.operations.map((o) => [o.operation, o]));
    const list = byId.get('listItems')!;
    expect([list.overall.covered, list.overall.total]).toEqual([6, 8]);
    expect(list.overall.percent).toBe(75);
    expect(list.undocumentedStatuses).toEqual([500]);
    expect(list.exchanges).toBe(3);
    const get = byId.get('getItem')!;
    expect(get.statuses.map((i) => [i.id, i.covered])).toEqual([
      ['200', false],
      ['404', true],
      ['default', true],
    ]);
    expect([get.overall.covered, get.overall.total, get.overall.percent]).toEqual([4, 5, 80]);
    expect(item(get, 'parameters', 'path.itemId')!.hits).toBe(2);
    const create = byId.get('createItem')!;
    expect(create.constraints.map((i) => [i.id, i.covered])).toEqual([
      ['body.name maxLength valid', false],
      ['body.name maxLength invalid', true],
      ['body.count minimum valid', false],
      ['body.count minimum invalid', false],
      ['body.count maximum valid', true],
      ['body.count maximum invalid', true],
    ]);
    expect([create.overall.covered, create.overall.total]).toEqual([5, 9]);
  });

  it('totals every kind across operations', () => {
    const { totals } = model.summary();
    expect(totals.statuses).toMatchObject({ covered: 5, total: 7 });
    expect(totals.contentTypes).toMatchObject({ covered: 4, total: 5 });
    expect(totals.parameters).toMatchObject({ covered: 3, total: 4 });
    expect(totals.constraints).toEqual({ covered: 3, total: 6, percent: 50 });
    expect(totals.overall.covered).toBe(15);
    expect(totals.overall.total).toBe(22);
    expect(totals.overall.percent).toBeCloseTo((15 / 22) * 100, 10);
  });

  it('tags each item with the phases that exercised it', () => {
    const summary = model.summary();
    const list = summary.operations.find((o) => o.operation === 'listItems')!;
    expect(item(list, 'parameters', 'query.limit')).toEqual({
      id: 'query.limit',
      covered: true,
      phases: ['fuzz', 'proxy'],
      hits: 2,
    });
    expect(item(list, 'parameters', 'header.x-trace')!.phases).toEqual(['proxy']);
    expect(item(list, 'statuses', '400')!.phases).toEqual(['proxy']);
    expect(item(list, 'contentTypes', 'text/csv')).toEqual({ id: 'text/csv', covered: false, phases: [], hits: 0 });
    expect(summary.phases).toEqual(['coverage', 'fuzz', 'proxy', 'stateful']);
  });

  it('prints a table a person can check against the numbers', () => {
    const text = formatCoverage(model.summary());
    expect(text).toMatch(/coverage, fuzz, proxy, stateful/);
    expect(text).toMatch(/coverage-3.0 listItems\s+2\/2\s+2\/3\s+2\/3\s+-\s+75%\s+text\/csv, query\.cursor/);
    expect(text).toMatch(/coverage-3.0 createItem\s+1\/2\s+1\/1\s+-\s+3\/6\s+55%/);
    expect(text).toMatch(/total\s+5\/7\s+4\/5\s+3\/4\s+3\/6\s+68%/);
  });

  it('fails a --min-coverage gate above the overall percentage, with a line that says why', () => {
    const summary = model.summary();
    expect(coverageShortfall(summary, 68)).toBeUndefined();
    expect(coverageShortfall(summary, 80)).toBe(
      'coverage 68% is below --min-coverage 80% (15 of 22 documented statuses, content types, parameters and constraints exercised)',
    );
  });
});

describe('scope', () => {
  it('ignores operations that were not registered, and registers each operation once', () => {
    const model = new CoverageModel([op('getItem')]);
    model.register(op('getItem'));
    model.observeExchange(op('listItems'), 'fuzz', 200, 'application/json', ['query.limit']);
    model.probe(op('createItem'), 'body.count maximum', 'invalid', 'coverage');
    const summary = model.summary();
    expect(summary.operations.map((o) => o.operation)).toEqual(['getItem']);
    expect(summary.totals.overall).toEqual({ covered: 0, total: 5, percent: 0 });
  });

  it('declares a constraint by its first probe, with both sides to cover', () => {
    const model = new CoverageModel([op('createItem')]);
    model.probe(op('createItem'), 'body.count minimum', 'invalid', 'fuzz');
    expect(model.summary().totals.constraints).toEqual({ covered: 1, total: 2, percent: 50 });
  });

  it('takes hostile names as data', () => {
    const model = new CoverageModel([op('listItems')]);
    model.observeExchange(op('listItems'), '__proto__', 200, 'application/json', [
      '__proto__',
      'constructor',
      'query.limit',
    ]);
    model.probe(op('listItems'), 'constructor', 'valid', 'toString');
    const list = model.summary().operations[0];
    expect(item(list, 'parameters', 'query.limit')!.phases).toEqual(['__proto__']);
    expect(list.parameters.map((i) => i.id)).toEqual(['query.limit', 'query.cursor', 'header.x-trace']);
    expect(list.constraints).toEqual([
      { id: 'constructor valid', covered: true, phases: ['toString'], hits: 1 },
      { id: 'constructor invalid', covered: false, phases: [], hits: 0 },
    ]);
  });
});
