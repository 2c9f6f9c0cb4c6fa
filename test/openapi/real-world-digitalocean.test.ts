/**
 * Quirks of DigitalOcean's spec (659 operations over thousands of `$ref`'d files) that broke the
 * self-test, each on a small spec that reproduces it: checked through the engine, through the mock
 * over HTTP, and by the contract suite against the mock of the same spec (one engine: any failure
 * is a bug of one half).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { schemaArbitrary } from '../../src/openapi/arbitrary.js';
import { loadSpec } from '../../src/openapi/load.js';
import { SpecValidator } from '../../src/openapi/validator.js';
import { send } from '../helpers/http.js';
import { ROOT, specMockFor } from '../helpers/mock.js';
import { expectSelfTestConforms } from '../helpers/self-test.js';

const STRING_NUMBER_FORMATS = `${ROOT}test/fixtures/real-world-defects/string-number-formats-3.0.yaml`;
const DISCRIMINATOR_ACROSS_FILES = `${ROOT}test/fixtures/real-world-defects/discriminator-across-files/api-3.0.yaml`;
const WORD_BOUNDARY = `${ROOT}test/fixtures/real-world-defects/word-boundary-pattern-3.0.yaml`;
const ERROR_WITHOUT_MESSAGE = `${ROOT}test/fixtures/real-world-defects/error-without-message-3.0.yaml`;
const ENVELOPED_CREATE = `${ROOT}test/fixtures/real-world-defects/enveloped-create-3.0.yaml`;
const UNREACHABLE_BRANCH = `${ROOT}test/fixtures/real-world-defects/discriminator-unreachable-branch-3.0.yaml`;
const ENCODED_LITERAL_PATH = `${ROOT}test/fixtures/real-world-defects/encoded-literal-path-3.0.yaml`;

describe('DigitalOcean quirks', () => {
  describe('a string in a number format (type string, format int64)', () => {
    it('is built as any string: number formats constrain numbers only, in ajv and in the generator', async () => {
      const spec = await loadSpec(STRING_NUMBER_FORMATS);
      const validator = new SpecValidator(spec);
      const model = spec.operations.find((op) => op.id === 'getModel')!.responses[0].content[0];
      const values = fc.sample(schemaArbitrary(model.schema!, { direction: 'response' }), { numRuns: 30, seed: 1 });
      for (const value of values) expect(validator.validate(model.schemaPointer!, value, 'response')).toEqual([]);
      expect(values.some((value) => typeof (value as { id: unknown }).id === 'string')).toBe(true);
    });

    describe('served by the mock', () => {
      const mock = specMockFor([STRING_NUMBER_FORMATS]);

      it('creates with an id built to its schema and answers a fitted record (the example breaks its schema)', async () => {
        const created = await send(mock.url, 'POST', '/models', { json: { name: 'ada', context_window: '12345' } });
        expect(created.status, created.text).toBe(201);
        const record = created.body as Record<string, unknown>;
        expect(record).toMatchObject({ name: 'ada', context_window: '12345' });
        expect(typeof record.id).toBe('string');
        expect(record.size === undefined || Number.isInteger(record.size)).toBe(true);
        const read = await send(mock.url, 'GET', `/models/${encodeURIComponent(String(record.id))}`);
        expect(read.status, read.text).toBe(200);
        expect(read.body).toEqual(record);
      });
    });
  });

  describe('a discriminator whose mapping names schemas in other files, relative to its own', () => {
    it('selects the branch each tag maps to, where the bundler inlined it or pointed at it', async () => {
      const spec = await loadSpec(DISCRIMINATOR_ACROSS_FILES, { cache: false });
      const validator = new SpecValidator(spec);
      const body = (id: string) => spec.operations.find((op) => op.id === id)!.requestBody!.content[0].schemaPointer!;
      const issues = (id: string, value: unknown) => validator.validate(body(id), value, 'request');
      expect(issues('dropletActions_post', { type: 'shutdown' })).toEqual([]);
      expect(issues('dropletActions_post', { type: 'snapshot', name: 'nightly' })).toEqual([]);
      // A tag the mapping does not list names no schema: refused.
      expect(issues('dropletActions_post', { type: 'reboot' })).not.toEqual([]);
      // The schema shared by both unions keeps the tags of each union apart.
      expect(issues('volumeActions_post', { type: 'power_on' })).toEqual([]);
      expect(issues('volumeActions_post', { type: 'resize', size_gigabytes: 5 })).toEqual([]);
      expect(issues('volumeActions_post', { type: 'resize' }).map((i) => i.message)).toContainEqual(
        expect.stringContaining('size_gigabytes'),
      );
      expect(issues('volumeActions_post', { type: 'shutdown' })).not.toEqual([]);
    });

    describe('served by the mock', () => {
      const mock = specMockFor([DISCRIMINATOR_ACROSS_FILES]);

      it('accepts each mapped action and refuses one the mapping does not list', async () => {
        for (const action of [{ type: 'shutdown' }, { type: 'snapshot', name: 'nightly' }]) {
          const accepted = await send(mock.url, 'POST', '/droplets/actions', { json: action });
          expect(accepted.status, accepted.text).toBe(201);
        }
        const refused = await send(mock.url, 'POST', '/droplets/actions', { json: { type: 'reboot' } });
        expect(refused.status, refused.text).toBe(422);
      });
    });
  });

  describe("a mapping tag the branch's own enum refuses", () => {
    it('selects that branch for no value; the generator builds the reachable branches only', async () => {
      const spec = await loadSpec(UNREACHABLE_BRANCH);
      const validator = new SpecValidator(spec);
      const media = spec.operations[0].requestBody!.content[0];
      const issues = (value: unknown) => validator.validate(media.schemaPointer!, value, 'request');
      expect(issues({ type: 'power_on' })).toEqual([]);
      expect(issues({ type: 'rename', name: 'web-1' })).toEqual([]);
      expect(issues({ type: 'change_backup_policy', backup_policy: {} })).not.toEqual([]);
      const values = fc.sample(schemaArbitrary(media.schema!, { direction: 'request' }), { numRuns: 60, seed: 3 });
      for (const value of values) expect(issues(value)).toEqual([]);
      expect(new Set(values.map((value) => (value as { type: string }).type))).toEqual(new Set(['power_on', 'rename']));
    });
  });

  describe('a pattern with word boundaries (\\b)', () => {
    it('is built to match: values are made without the boundaries and held to the pattern', async () => {
      const spec = await loadSpec(WORD_BOUNDARY);
      const validator = new SpecValidator(spec);
      const media = spec.operations.find((op) => op.id === 'updateFirewall')!.requestBody!.content[0];
      const values = fc.sample(schemaArbitrary(media.schema!, { direction: 'request' }), { numRuns: 40, seed: 2 });
      for (const value of values) expect(validator.validate(media.schemaPointer!, value, 'request')).toEqual([]);
      const uuids = values.flatMap((value) => (value as { rules: { uuid?: string }[] }).rules.map((rule) => rule.uuid));
      // The pattern is unanchored at its end: a UUID somewhere in the value, not the empty alternative every time.
      expect(uuids.some((uuid) => typeof uuid === 'string' && /[0-9a-f]{8}-[0-9a-f]{4}-/.test(uuid))).toBe(true);
    });
  });

  describe('an error schema with no message field, documented for one status', () => {
    const mock = specMockFor([ERROR_WITHOUT_MESSAGE]);

    it("answers that status in the operation's own schema, the message in its error field", async () => {
      const refused = await send(mock.url, 'POST', '/tags', { json: { name: 'not a tag!' } });
      expect(refused.status, refused.text).toBe(400);
      expect(refused.body).toMatchObject({ error: expect.stringContaining('name'), root_causes: expect.any(Array) });
      const spec = await loadSpec(ERROR_WITHOUT_MESSAGE);
      const documented = spec.operations
        .find((op) => op.id === 'tags_create')!
        .responses.find((r) => r.status === '400')!;
      expect(new SpecValidator(spec).validate(documented.content[0].schemaPointer!, refused.body, 'response')).toEqual(
        [],
      );
      // Where the operation documents no shape of its own, the spec-wide {id, message} stays.
      const missing = await send(mock.url, 'GET', '/tags/nowhere');
      expect(missing.status).toBe(404);
      expect(missing.body).toMatchObject({ id: expect.any(String), message: expect.any(String) });
    });
  });

  describe('a create answered in an envelope named as the item parameter', () => {
    const mock = specMockFor([ENVELOPED_CREATE]);

    it('keeps the envelope an object: the key goes in a top-level id, never over the envelope', async () => {
      const created = await send(mock.url, 'POST', '/reserved_ipv6', { json: { region_slug: 'nyc3' } });
      expect(created.status, created.text).toBe(201);
      const body = created.body as { id: unknown; reserved_ipv6: unknown };
      expect(body.reserved_ipv6).toMatchObject({ ip: expect.any(String) });
      expect(typeof body.id).toBe('string');
      const read = await send(mock.url, 'GET', `/reserved_ipv6/${encodeURIComponent(String(body.id))}`);
      expect(read.status, read.text).toBe(200);
    });
  });

  describe('a path key with characters a client must percent-encode', () => {
    const mock = specMockFor([ENCODED_LITERAL_PATH]);

    it('is routed as sent, encoded in either hex case, and nothing else is', async () => {
      const upload = { raw: 'bytes', headers: { 'content-type': 'application/octet-stream' } };
      for (const path of ['/%3Cupload_url%3E', '/%3cupload_url%3e']) {
        const put = await send(mock.url, 'PUT', path, upload);
        expect(put.status, `${path}: ${put.text}`).toBe(200);
      }
      expect((await send(mock.url, 'PUT', '/%3Cupload_urlX%3E', upload)).status).toBe(404);
      // Parameters still match encoded text (here routed, then not found among the stored records).
      expect((await send(mock.url, 'GET', '/files/a%20b')).text).toContain('No resource with name a b');
    });
  });

  describe('parley test against parley mock of the same spec conforms', () => {
    for (const file of [
      STRING_NUMBER_FORMATS,
      DISCRIMINATOR_ACROSS_FILES,
      WORD_BOUNDARY,
      ERROR_WITHOUT_MESSAGE,
      ENVELOPED_CREATE,
      UNREACHABLE_BRANCH,
      ENCODED_LITERAL_PATH,
    ]) {
      const name = file.split('/').pop();
      for (const seed of [1, 2, 3]) {
        it(`${name}, seed ${seed}`, async () => {
          await expectSelfTestConforms(file, seed);
        });
      }
    }
  });
});
