/**
 * Quirks of real-world specs that used to crash or mislead the engine: 3.0 examples carrying an
 * `"id"` string (read by draft-04 as schema ids), `nullable: true` beside no `type`, patterns with
 * escapes the `u` flag refuses, fixed query parameters in a `paths` key, unknown formats and
 * webhooks. Each is checked through the validator, through the mock over HTTP, and by the
 * contract suite against the mock of the same spec (one engine: any failure is a bug of one half).
 */
import path from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { BUNDLED_CONTRACTS } from '../../src/apis/index.js';
import { runContract } from '../../src/contract/runner.js';
import { exampleFromSchema } from '../../src/openapi/example.js';
import { schemaArbitrary } from '../../src/openapi/arbitrary.js';
import { loadSpec } from '../../src/openapi/load.js';
import type { Spec } from '../../src/openapi/types.js';
import { SpecValidator } from '../../src/openapi/validator.js';
import { send } from '../helpers/http.js';
import { ROOT, specMockFor, tempJsonFile, withSpecMock } from '../helpers/mock.js';
import { expectSelfTestConforms, selfTest } from '../helpers/self-test.js';

const QUIRKS = `${ROOT}test/fixtures/real-world-defects/quirks-3.0.yaml`;
const KEYS = `${ROOT}test/fixtures/real-world-defects/keys-3.0.yaml`;
const LOOKALIKE = `${ROOT}test/fixtures/real-world-defects/sessions-lookalike.yaml`;
const ERROR_SHAPES = `${ROOT}test/fixtures/real-world-defects/error-shapes-3.0.yaml`;
const FORMS = `${ROOT}test/fixtures/real-world-defects/forms-3.0.yaml`;
const DISCRIMINATOR = `${ROOT}test/fixtures/real-world-defects/discriminator-3.0.yaml`;
const COOKIES = `${ROOT}test/fixtures/real-world-defects/cookies-3.1.yaml`;
const PINNED_TAGS = `${ROOT}test/fixtures/real-world-defects/discriminator-pinned-3.1.yaml`;
const ALLOF_NULLABLE = `${ROOT}test/fixtures/real-world-defects/allof-nullable-3.1.yaml`;
const ONEOF_REQUIRED = `${ROOT}test/fixtures/real-world-defects/oneof-required-3.0.yaml`;
const CREATE_EXTENDS = `${ROOT}test/fixtures/real-world-defects/create-extends-item-3.0.yaml`;
const TRANSPORT_HEADERS = `${ROOT}test/fixtures/real-world-defects/transport-headers-3.0.yaml`;
const DEEP_ANSWERS = `${ROOT}test/fixtures/real-world-defects/deep-answers-3.0.yaml`;
const TEXT_UNIONS = `${ROOT}test/fixtures/real-world-defects/text-unions-3.0.yaml`;
const FORM_CONTAINERS = `${ROOT}test/fixtures/real-world-defects/form-containers-3.0.yaml`;
const SHARED_TAG = `${ROOT}test/fixtures/real-world-defects/discriminator-shared-tag-3.1.yaml`;
const OVERLAPPING = `${ROOT}test/fixtures/real-world-defects/overlapping-unions-3.1.yaml`;
const NOT_BOTH = `${ROOT}test/fixtures/real-world-defects/not-both-3.1.yaml`;
const MULTIPART_NULL = `${ROOT}test/fixtures/real-world-defects/multipart-null-3.1.yaml`;

const operation = (spec: Spec, id: string) => spec.operations.find((op) => op.id === id)!;

describe('spec engine on real-world quirks', () => {
  let spec: Spec;
  let validator: SpecValidator;
  beforeAll(async () => {
    spec = await loadSpec(QUIRKS);
    validator = new SpecValidator(spec);
  });

  it('examples that repeat an "id" string are data, not draft-04 schema ids', () => {
    const pointer = operation(spec, 'latestVersion').responses[0].content[0].schemaPointer!;
    expect(validator.validate(pointer, { id: 'v2.0', created: 1 }, 'response')).toEqual([]);
    expect(validator.validate(pointer, { id: 7, created: 1 }, 'response').map((i) => i.path.join('.'))).toEqual(['id']);
  });

  it('nullable: true without type admits null and still checks the rest', () => {
    const body = operation(spec, 'createCompletion').requestBody!.content[0].schemaPointer!;
    expect(validator.validate(body, { prompt: 'a', stop: null }, 'request')).toEqual([]);
    expect(validator.validate(body, { prompt: 'a', stop: ['x'] }, 'request')).toEqual([]);
    expect(validator.validate(body, { prompt: 'a', stop: 5 }, 'request')).not.toEqual([]);
    const answer = operation(spec, 'createCompletion').responses[0].content[0].schemaPointer!;
    expect(validator.validate(answer, { id: 'c', stop: null }, 'response')).toEqual([]);
    expect(validator.validate(answer, { id: 'c', stop: { reason: 'length' } }, 'response')).toEqual([]);
    expect(validator.validate(answer, { id: 'c', stop: 'x' }, 'response')).not.toEqual([]);
  });

  it('a pattern with legacy escapes (\\-, \\:) is read, not refused', () => {
    const pointer = operation(spec, 'getSlug').parameters[0].schemaPointer!;
    expect(validator.validate(pointer, 'a-b:c_d', 'request')).toEqual([]);
    expect(validator.validate(pointer, 'a b', 'request').map((i) => i.keyword)).toEqual(['pattern']);
  });

  it('unknown formats and webhooks are named in the warnings, once', async () => {
    expect(spec.warnings).toEqual([expect.stringContaining('"unixtime"')]);
    const withWebhooks = await tempJsonFile('hooks.json', {
      openapi: '3.1.0',
      info: { title: 'hooks', version: '1' },
      paths: {},
      webhooks: { newPet: { post: { responses: { '200': { description: 'ok' } } } } },
    });
    const hooks = await loadSpec(withWebhooks);
    expect(hooks.operations).toEqual([]);
    expect(hooks.warnings).toEqual([expect.stringContaining('"newPet"')]);
  });

  it.each([1, 2, 3])(
    "formats named like an object's own properties (constructor, toString, __proto__) are unknown formats, not a crash: seed %i conforms",
    async (seed) => {
      const file = path.join(ROOT, 'test/fixtures/real-world-defects/object-named-formats-3.0.yaml');
      expect((await loadSpec(file)).warnings).toEqual([expect.stringContaining('"constructor"')]);
      const report = await expectSelfTestConforms(file, seed);
      expect(report.requests).toBeGreaterThan(50);
    },
  );

  it('a discriminator picks the one oneOf branch its tag names (mapping, else the schema name)', async () => {
    const pets = await loadSpec(DISCRIMINATOR);
    const petValidator = new SpecValidator(pets);
    const body = operation(pets, 'addPet').requestBody!.content[0].schemaPointer!;
    // Cat, Dog and Lizard all accept {petType, name}: without the discriminator, oneOf matches three branches
    expect(petValidator.validate(body, { petType: 'cat', name: 'Tom' }, 'request')).toEqual([]);
    expect(petValidator.validate(body, { petType: 'dog', name: 'Rex', packSize: 3 }, 'request')).toEqual([]);
    expect(petValidator.validate(body, { petType: 'Lizard' }, 'request')).toEqual([]);
    expect(petValidator.validate(body, { petType: 'cat' }, 'request')).not.toEqual([]); // a Cat needs a name
    expect(petValidator.validate(body, { petType: 'bird', name: 'x' }, 'request')).not.toEqual([]);
    await withSpecMock([DISCRIMINATOR], async (mock) => {
      const created = await send(mock.url, 'POST', '/pets', { json: { petType: 'dog', name: 'Rex' } });
      expect(created.status, created.text).toBe(201);
      expect(created.body.petType).toBe('dog');
    });
  });

  it("a discriminator without mapping takes each branch's own pinned value of the tag, not its schema name", async () => {
    const items = await loadSpec(PINNED_TAGS);
    const itemValidator = new SpecValidator(items);
    const body = operation(items, 'createResponse').requestBody!.content[0].schemaPointer!;
    const valid = [
      { type: 'message', role: 'user', content: 'hi' },
      { type: 'function_call', name: 'f' },
      { type: 'reasoning', summary: 's' },
      { type: 'search_call', query: 'q' },
      { type: 'code_call', code: 'c' },
      { type: 'item_reference', id: 'i' },
    ];
    expect(itemValidator.validate(body, { input: valid }, 'request')).toEqual([]);
    expect(
      itemValidator.validate(body, { input: [{ type: 'Message', role: 'user', content: 'hi' }] }, 'request'),
    ).not.toEqual([]);
    expect(itemValidator.validate(body, { input: [{ type: 'message', name: 'f' }] }, 'request')).not.toEqual([]);
    await withSpecMock([PINNED_TAGS], async (mock) => {
      const answer = await send(mock.url, 'POST', '/responses', { json: { input: valid } });
      expect(answer.status, answer.text).toBe(200);
      const pointer = operation(items, 'createResponse').responses[0].content[0].schemaPointer!;
      expect(itemValidator.validate(pointer, answer.body, 'response')).toEqual([]);
      expect(answer.body.output.length).toBeGreaterThan(0);
    });
  });

  it('a tag value two branches pin selects both: a value either one holds is valid, one neither holds is not', async () => {
    const shared = await loadSpec(SHARED_TAG);
    const sharedValidator = new SpecValidator(shared);
    const body = operation(shared, 'createConversation').requestBody!.content[0].schemaPointer!;
    const parts = [{ type: 'input_text', text: 'hi' }];
    const accepted = [
      { type: 'message', role: 'user', content: parts }, // an easy input message and an input message
      { type: 'message', role: 'assistant', content: 'hi' }, // an easy input message only
      { type: 'message', role: 'assistant', id: 'm', content: parts }, // both again (easy and output)
      { type: 'function_call', name: 'f' },
    ];
    for (const item of accepted)
      expect(sharedValidator.validate(body, { items: [item] }, 'request'), JSON.stringify(item)).toEqual([]);
    for (const item of [
      { type: 'message', role: 'tool', content: parts }, // no branch has the role
      { type: 'function_call', role: 'user', content: 'hi' }, // the tag names a branch the value does not hold
      { type: 'Item', role: 'user', content: parts },
    ])
      expect(sharedValidator.validate(body, { items: [item] }, 'request'), JSON.stringify(item)).not.toEqual([]);
    // Built values carry a tag of the branch that built them, through the merged copy of a `$ref` with siblings too.
    const bodies = fc.sample(schemaArbitrary(operation(shared, 'createConversation').requestBody!.content[0].schema!), {
      numRuns: 300,
      seed: 2,
    });
    expect(bodies.filter((value) => !sharedValidator.accepts(body, value, 'request'))).toEqual([]);
    await withSpecMock([SHARED_TAG], async (mock) => {
      const created = await send(mock.url, 'POST', '/conversations', {
        json: { items: [{ type: 'message', role: 'user', content: parts }] },
      });
      expect(created.status, created.text).toBe(200);
      const refused = await send(mock.url, 'POST', '/conversations', {
        json: { items: [{ type: 'function_call', role: 'user', content: 'hi' }] },
      });
      expect(refused.status).toBe(422);
    });
  });

  it('a value two oneOf branches hold is refused, and none is built: every generated body is valid', async () => {
    const overlapping = await loadSpec(OVERLAPPING);
    const overlappingValidator = new SpecValidator(overlapping);
    const run = operation(overlapping, 'createEvalRun').requestBody!.content[0];
    const chat = { role: 'user', content: 'hi' }; // a chat message and an eval item
    expect(overlappingValidator.validate(run.schemaPointer!, { template: [chat] }, 'request')).not.toEqual([]);
    for (const item of [
      { role: 'critic', content: 'hi' },
      { role: 'user', content: { type: 'input_text', text: 'hi' } },
    ])
      expect(overlappingValidator.validate(run.schemaPointer!, { template: [item] }, 'request')).toEqual([]);
    const bodies = fc.sample(schemaArbitrary(run.schema!, { direction: 'request' }), { numRuns: 200, seed: 5 });
    const refused = bodies.filter((body) => !overlappingValidator.accepts(run.schemaPointer!, body, 'request'));
    expect(refused).toEqual([]);
    expect(bodies.flatMap((body) => (body as { template: unknown[] }).template).length).toBeGreaterThan(100);
  });

  it('$recursiveRef "#" is the schema with the $recursiveAnchor: compound filters nest, each level checked', async () => {
    const filters = await loadSpec(OVERLAPPING);
    const filterValidator = new SpecValidator(filters);
    const search = operation(filters, 'searchVectorStore').requestBody!.content[0];
    const compare = { type: 'eq', key: 'k', value: 1 };
    const nested = {
      type: 'and',
      filters: [compare, { type: 'or', filters: [compare, { type: 'and', filters: [] }] }],
    };
    expect(filterValidator.validate(search.schemaPointer!, { query: 'q', filters: nested }, 'request')).toEqual([]);
    const broken = { type: 'and', filters: [{ type: 'or', filters: [{ type: 'eq', key: 'k' }] }] };
    expect(
      filterValidator.validate(search.schemaPointer!, { query: 'q', filters: broken }, 'request').map((i) => i.path),
    ).toContainEqual(['filters', 'filters', 0, 'filters', 0, 'value']);
    // The items union compiled on its own (as generators check it) refers to the compound filter, not to itself.
    const items = '/components/schemas/CompoundFilter/properties/filters/items';
    expect(filterValidator.accepts(items, { type: 'or', filters: [compare] }, 'request')).toBe(true);
    expect(filterValidator.accepts(items, { type: 'or', filters: [{ type: 'xor' }] }, 'request')).toBe(false);
    const bodies = fc.sample(schemaArbitrary(search.schema!, { direction: 'request' }), { numRuns: 200, seed: 5 });
    expect(bodies.filter((body) => !filterValidator.accepts(search.schemaPointer!, body, 'request'))).toEqual([]);
    // Compound filters inside compound filters were built too
    const levels = (filter: unknown): number => {
      const inner = (filter as { filters?: unknown[] } | undefined)?.filters;
      return inner ? 1 + Math.max(0, ...inner.map(levels)) : 0;
    };
    expect(Math.max(...bodies.map((body) => levels((body as { filters?: unknown }).filters)))).toBeGreaterThan(1);
  });

  it('anyOf two required properties and not both: one is taken, both are refused, and none is built with both', async () => {
    const images = await loadSpec(NOT_BOTH);
    const imageValidator = new SpecValidator(images);
    const edit = operation(images, 'createImageEdit').requestBody!.content[0];
    const bodies = fc.sample(schemaArbitrary(edit.schema!, { direction: 'request' }), { numRuns: 200, seed: 5 });
    expect(bodies.filter((body) => !imageValidator.accepts(edit.schemaPointer!, body, 'request'))).toEqual([]);
    const references = bodies.flatMap((body) => (body as { images: Record<string, unknown>[] }).images);
    expect(references.some((reference) => 'file_id' in reference)).toBe(true);
    expect(references.some((reference) => 'image_url' in reference)).toBe(true);
    await withSpecMock([NOT_BOTH], async (mock) => {
      const one = await send(mock.url, 'POST', '/images/edits', {
        json: { images: [{ file_id: 'file-1' }], mask: { image_url: 'https://example.com/m.png' }, prompt: 'p' },
      });
      expect(one.status, one.text).toBe(200);
      const both = await send(mock.url, 'POST', '/images/edits', {
        json: { images: [{ file_id: 'file-1', image_url: 'https://example.com/i.png' }], prompt: 'p' },
      });
      expect(both.status).toBe(422);
      expect((await send(mock.url, 'POST', '/images/edits', { json: { images: [{}], prompt: 'p' } })).status).toBe(422);
    });
  });

  it('a multipart part reads as null, a listed string or a JSON object, whichever of them the field admits', async () => {
    const multipart = (strategy: string) => ({
      raw: [
        ['file', 'RIFF'],
        ['model', 'whisper-1'],
        ['chunking_strategy', strategy],
      ]
        .map(([name, text]) => `--b\r\ncontent-disposition: form-data; name="${name}"\r\n\r\n${text}\r\n`)
        .concat('--b--\r\n')
        .join(''),
      headers: { 'content-type': 'multipart/form-data; boundary=b' },
    });
    await withSpecMock([MULTIPART_NULL], async (mock) => {
      for (const strategy of ['null', 'auto', '{"type":"server_vad","silence_duration_ms":200}']) {
        const accepted = await send(mock.url, 'POST', '/audio/transcriptions', multipart(strategy));
        expect(accepted.status, `${strategy}: ${accepted.text}`).toBe(200);
      }
      for (const strategy of ['manual', '{"type":"client_vad"}']) {
        const refused = await send(mock.url, 'POST', '/audio/transcriptions', multipart(strategy));
        expect(refused.status, strategy).toBe(422);
        expect(refused.text).toContain('chunking_strategy');
      }
    });
  });

  it('null is refused where one allOf part names a type without it, and never sent as valid', async () => {
    await withSpecMock([ALLOF_NULLABLE], async (mock) => {
      const refused = await send(mock.url, 'POST', '/completions', { json: { prompt: 'p', top_logprobs: null } });
      expect(refused.status).toBe(422);
      expect(refused.text).toContain('top_logprobs');
      const accepted = await send(mock.url, 'POST', '/completions', { json: { prompt: 'p', top_logprobs: 20 } });
      expect(accepted.status, accepted.text).toBe(200);
    });
  });

  it('a oneOf of required-only branches admits one of the properties, not both; of array branches, not []; of integer and number, no whole number', async () => {
    await withSpecMock([ONEOF_REQUIRED], async (mock) => {
      const both = { model: 'm', file_search: { vector_store_ids: [], vector_stores: [] } };
      expect((await send(mock.url, 'POST', '/assistants', { json: both })).status).toBe(422);
      expect((await send(mock.url, 'POST', '/assistants', { json: { model: 'm', input: [] } })).status).toBe(422);
      expect((await send(mock.url, 'POST', '/assistants', { json: { model: 'm', input: ['a'] } })).status).toBe(200);
      const variables = (value: unknown) => ({ json: { model: 'm', state_variables: { v: value } } });
      expect((await send(mock.url, 'POST', '/assistants', variables(4))).status).toBe(422);
      expect((await send(mock.url, 'POST', '/assistants', variables(1.5))).status).toBe(200);
      const one = { model: 'm', file_search: { vector_stores: [{}] } };
      const accepted = await send(mock.url, 'POST', '/assistants', { json: one });
      expect(accepted.status, accepted.text).toBe(200);
    });
  });

  it('a POST answering 200 with its item schema extended by allOf creates; one answering another schema does not', async () => {
    await withSpecMock([CREATE_EXTENDS], async (mock) => {
      const first = await send(mock.url, 'POST', '/admin_api_keys', { json: { name: 'ops' } });
      const second = await send(mock.url, 'POST', '/admin_api_keys', { json: { name: 'ci' } });
      expect(first.status, first.text).toBe(200);
      expect(first.body.name).toBe('ops');
      expect(typeof first.body.value).toBe('string');
      expect(second.body.id).not.toBe(first.body.id);
      const fetched = await send(mock.url, 'GET', `/admin_api_keys/${encodeURIComponent(first.body.id)}`);
      expect(fetched.status, fetched.text).toBe(200);
      expect(fetched.body.name).toBe('ops');
      const action = await send(mock.url, 'POST', '/service_accounts', { json: { name: 'bot' } });
      expect(action.status).toBe(200);
      expect((await send(mock.url, 'GET', `/service_accounts/${action.body.id}`)).status).toBe(404);
    });
    const report = (await selfTest(CREATE_EXTENDS, 1)).report;
    expect(report.failures).toEqual([]);
    // the key collection is exercised by the CRUD properties, the service accounts are not claimed as one
    const sequences = report.tallies.filter((t) => t.check.startsWith('crud.')).map((t) => t.operation);
    expect(sequences).toContain('createKey');
    expect(sequences).not.toContain('createServiceAccount');
  });

  it('documented framing headers (Transfer-Encoding, Content-Length) are left to the server: the answer stays valid HTTP', async () => {
    await withSpecMock([TRANSPORT_HEADERS], async (mock) => {
      const audio = await send(mock.url, 'POST', '/audio/speech', {
        json: { input: 'hello' },
        headers: { accept: 'application/octet-stream' },
      });
      expect(audio.status, audio.text).toBe(200);
      expect(audio.headers['x-request-id']).toBe('req_1');
      // Either framing, as the server chose it: never the schema-built "string" of the spec.
      expect(audio.headers['transfer-encoding'] ?? 'chunked').toBe('chunked');
      expect(audio.headers['content-length'] ?? '0').toMatch(/^\d+$/);
    });
  });

  it("deep answers stay valid: Stripe's error body nine levels down, patterned list urls, expandable fields that nest without end", async () => {
    const deep = await loadSpec(DEEP_ANSWERS);
    const deepValidator = new SpecValidator(deep);
    const schemaOf = (id: string, status: string) =>
      operation(deep, id).responses.find((r) => r.status === status)!.content[0].schemaPointer!;
    const issues = (id: string, status: string, body: unknown) =>
      deepValidator.validate(schemaOf(id, status), body, 'response').map((i) => `${i.path.join('.')} ${i.message}`);
    // The full example reaches a charge's outcome.rule nine levels down (past the depth limit), still valid
    const errorSchema = operation(deep, 'PostCharges').responses.find((r) => r.status === 'default')!.content[0].schema;
    const example = exampleFromSchema(errorSchema, { direction: 'response' }) as {
      error: { payment_intent: { charges: { data: { outcome: { rule: unknown } }[] } } };
    };
    expect(issues('PostCharges', 'default', example)).toEqual([]);
    expect(typeof example.error.payment_intent.charges.data[0].outcome.rule).toBe('string');
    await withSpecMock(
      [DEEP_ANSWERS],
      async (mock) => {
        const auth = { authorization: 'Bearer k' };
        const refused = await send(mock.url, 'POST', '/v1/charges', {
          raw: 'amount=0',
          headers: { ...auth, 'content-type': 'application/x-www-form-urlencoded' },
        });
        expect(refused.status).toBe(422);
        expect(issues('PostCharges', 'default', refused.body)).toEqual([]);
        // The smallest valid error, with its message: not a whole payment intent in every 4xx
        expect(refused.body.error.message).toContain('amount');
        expect(refused.text.length).toBeLessThan(1000);
        const list = await send(mock.url, 'GET', '/v1/charges', { headers: auth });
        expect(list.status, list.text).toBe(200);
        expect(list.body.url).toMatch(/^\/v1\/charges/);
        for (const seed of [1, 2, 3]) {
          const dynamic = await send(mock.url, 'GET', `/v1/charges/ch_${seed}`, {
            headers: { ...auth, prefer: 'dynamic=true' },
          });
          expect(dynamic.status, dynamic.text).toBe(200);
          expect(issues('GetChargesCharge', '200', dynamic.body)).toEqual([]);
        }
      },
      { apiKeys: ['k'] },
    );
  });

  it('a union of a number, object or array with fixed text (Stripe\'s `anyOf: [integer, enum: [""]]`) reads "19" as the number and nested fields by their branch', async () => {
    await withSpecMock(
      [TEXT_UNIONS],
      async (mock) => {
        const auth = { authorization: `Basic ${Buffer.from('k:').toString('base64')}` };
        const query = (q: string) => send(mock.url, 'GET', `/v1/invoices/upcoming?${q}`, { headers: auth });
        for (const accepted of [
          'subscription_cancel_at=19',
          'subscription_cancel_at=',
          'subscription_trial_end=now',
          'subscription_trial_end=5',
        ]) {
          const answer = await query(accepted);
          expect(answer.status, `${accepted}: ${answer.text}`).toBe(200);
        }
        for (const refused of [
          'subscription_cancel_at=soon',
          'subscription_trial_end=later',
          'subscription_cancel_at=1.5',
        ]) {
          const answer = await query(refused);
          expect(answer.status, refused).toBe(422);
          expect(answer.text).toContain(refused.split('=')[0]);
        }
        const form = (body: string) =>
          send(mock.url, 'POST', '/v1/subscriptions/sub_1', {
            raw: body,
            headers: { ...auth, 'content-type': 'application/x-www-form-urlencoded' },
          });
        expect((await form('cancel_at=19&trial_end=now')).status).toBe(200);
        expect((await form('cancel_at=&trial_end=1700000000')).status).toBe(200);
        expect((await form('cancel_at=never')).status).toBe(422);
        // Fields of an object or array branch are read as their branch says
        const nested = await form(
          'billing_thresholds[usage_gte]=5&billing_thresholds[reset_billing_cycle_anchor]=true&items[0][quantity]=2',
        );
        expect(nested.status, nested.text).toBe(200);
        expect((await form('billing_thresholds=&items=')).status).toBe(200);
        const wrong = await form('billing_thresholds[usage_gte]=many&items[0][quantity]=-1');
        expect(wrong.status).toBe(422);
        expect(wrong.text).toContain('usage_gte');
        expect(wrong.text).toContain('quantity');
      },
      { apiKeys: ['k'] },
    );
  });

  describe('served by the mock', () => {
    const mock = specMockFor([QUIRKS]);

    it('routes a paths key with a fixed query part, and only with that query', async () => {
      const beta = await send(mock.url, 'GET', '/responses?beta=true');
      expect(beta.status, beta.text).toBe(200);
      expect(beta.body).toEqual({ beta: true });
      expect((await send(mock.url, 'GET', '/responses?beta=false')).status).toBe(404);
      expect((await send(mock.url, 'GET', '/responses')).status).toBe(404);
    });

    it("serves each operation under its servers' base path too, server variables at their defaults", async () => {
      const based = await send(mock.url, 'GET', '/v2/responses?beta=true');
      expect(based.status, based.text).toBe(200);
      expect((await send(mock.url, 'GET', '/v3/responses?beta=true')).status).toBe(404);
    });

    it('answers a typeless nullable field sent as null, and a patterned path parameter', async () => {
      const completion = await send(mock.url, 'POST', '/completions', { json: { prompt: 'hi', stop: null } });
      expect(completion.status, completion.text).toBe(200);
      expect(completion.body).toMatchObject({ id: expect.any(String) });
      const bad = await send(mock.url, 'POST', '/completions', { json: { prompt: 'hi', stop: 5 } });
      expect(bad.status).toBeGreaterThanOrEqual(400);
      expect(bad.status).toBeLessThan(500);
      const slug = await send(mock.url, 'GET', '/slugs/a:b');
      expect(slug.status).toBeLessThan(500);
    });
  });

  describe("a user's spec with Julep's POST /sessions is served and tested as itself", () => {
    const mock = specMockFor([LOOKALIKE]);

    it('the mock answers its own Session schema and finds the id it returned', async () => {
      const created = await send(mock.url, 'POST', '/sessions', { json: { device: 'phone' } });
      expect(created.status, created.text).toBe(201);
      expect(created.body.device).toBe('phone');
      // Its own schema (additionalProperties: false), none of Julep's Session fields
      for (const key of Object.keys(created.body)) expect(['device', 'id', 'metadata']).toContain(key);
      const read = await send(mock.url, 'GET', `/sessions/${created.body.id}`);
      expect(read.status, read.text).toBe(200);
      expect(read.body).toEqual(created.body);
    });

    it('no bundled contract runs against it, even when all are offered', async () => {
      const report = await runContract({
        target: mock.url,
        specFiles: [LOOKALIKE],
        contracts: [...BUNDLED_CONTRACTS],
        seed: 4,
        runs: 10,
        requestTimeoutMs: 5000,
      });
      // Only the generic properties of its collection (crud.*), none of a bundled API's.
      expect(
        report.tallies.filter((t) => t.check.includes('.') && !t.check.startsWith('crud.')).map((t) => t.check),
      ).toEqual([]);
      expect(report.failures.map((f) => `${f.operation} ${f.check}: ${f.message}`)).toEqual([]);
    });

    it('the bundled specs are still recognised: their contracts run', async () => {
      await withSpecMock([`${ROOT}specs/julep.yaml`], async (bundled) => {
        const report = await runContract({
          target: bundled.url,
          specFiles: [`${ROOT}specs/julep.yaml`],
          contracts: [...BUNDLED_CONTRACTS],
          apiKey: 'k',
          seed: 4,
          runs: 5,
          requestTimeoutMs: 5000,
        });
        expect(report.tallies.some((t) => t.check === 'julep.defaults_echo' && t.passed > 0)).toBe(true);
      });
    });
  });

  it('cookie parameters are read from the Cookie header and validated', async () => {
    await withSpecMock([COOKIES], async (mock) => {
      expect(
        (await send(mock.url, 'GET', '/preferences', { headers: { cookie: 'theme=dark; font_size=12' } })).status,
      ).toBe(200);
      const missing = await send(mock.url, 'GET', '/preferences', { headers: { cookie: 'font_size=12' } });
      expect(missing.status).toBe(422);
      expect(missing.text).toContain('theme');
      const tooBig = await send(mock.url, 'GET', '/preferences', { headers: { cookie: 'theme=light; font_size=99' } });
      expect(tooBig.status).toBe(422);
      expect(tooBig.text).toContain('font_size');
    });
  });

  it('an operation that documents no responses is warned about, not failed with an empty "one of"', async () => {
    const file = await tempJsonFile('no-responses.json', {
      openapi: '3.1.0',
      info: { title: 'bare', version: '1' },
      paths: { '/ping': { get: { operationId: 'ping' } } },
    });
    await withSpecMock([file], async (mock) => {
      const report = await runContract({
        target: mock.url,
        specFiles: [file],
        seed: 1,
        runs: 5,
        requestTimeoutMs: 5000,
      });
      expect(report.failures).toEqual([]);
      expect(report.warnings.map((w) => w.message)).toContainEqual(expect.stringContaining('documents no responses'));
    });
  });

  describe('parley test against parley mock of the same spec conforms', () => {
    for (const file of [
      QUIRKS,
      KEYS,
      LOOKALIKE,
      ERROR_SHAPES,
      FORMS,
      DISCRIMINATOR,
      PINNED_TAGS,
      ALLOF_NULLABLE,
      ONEOF_REQUIRED,
      CREATE_EXTENDS,
      TRANSPORT_HEADERS,
      COOKIES,
      DEEP_ANSWERS,
      TEXT_UNIONS,
      FORM_CONTAINERS,
      SHARED_TAG,
      OVERLAPPING,
      NOT_BOTH,
      MULTIPART_NULL,
    ]) {
      const name = file.split('/').pop();
      for (const seed of [1, 2, 3]) {
        it(`${name}, seed ${seed}`, async () => {
          const report = await expectSelfTestConforms(file, seed);
          if (file === FORM_CONTAINERS) {
            // Form bodies with required arrays and all-optional objects went out with something in them, and were accepted
            for (const operation of ['PostWebhookEndpoints', 'PostBillingPortalConfigurations']) {
              expect(
                report.tallies.find((t) => t.operation === operation && t.check === 'valid_request_accepted')?.passed,
                operation,
              ).toBeGreaterThan(0);
            }
          }
          if (file === MULTIPART_NULL)
            expect(
              report.tallies.find((t) => t.operation === 'createTranscription' && t.check === 'valid_request_accepted')
                ?.passed,
            ).toBeGreaterThan(0);
          if (file === FORMS) {
            // Bodies went out as forms, multipart and text, and were accepted as such
            for (const operation of ['createCustomer', 'upload', 'addNote']) {
              expect(
                report.tallies.find((t) => t.operation === operation && t.check === 'valid_request_accepted')?.passed,
                operation,
              ).toBeGreaterThan(0);
            }
          }
        });
      }
    }
  });
});
