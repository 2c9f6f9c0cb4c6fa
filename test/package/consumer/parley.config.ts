// The consumer's config file, type-checked against the installed package and loaded by its CLI:
// the spec, flag defaults for mock and test, a user check and a user contract built with request().
import { type Check, type ContractRequest, defineConfig, fail, jsonOf, request, type Sequence, statusOf } from 'parley';

const CREATE = 'POST /notebooks/{notebookId}/notes';
const READ = 'GET /notebooks/{notebookId}/notes/{noteId}';

/** A user check, selected by name like the built-in ones. */
const createdHasId: Check = {
  name: 'acme.created_has_id',
  description: 'a 201 answer carries the id of what was created',
  kinds: ['valid'],
  run: ({ response }) => {
    if (response?.status !== 201) return { outcome: 'skip' };
    const id = (response.json as { id?: unknown } | undefined)?.id;
    return id === undefined
      ? { outcome: 'fail', message: 'a 201 without an id', expected: 'an "id" in the body' }
      : { outcome: 'pass' };
  },
};

/** A user sequence: generated valid creates (no fast-check import needed), each read back. */
const createThenRead: Sequence<ContractRequest> = {
  name: 'acme.create_then_read',
  description: 'a created note can be read back in its notebook',
  operations: [CREATE, READ],
  input: (session) => session.validRequest(CREATE),
  async run(session, generated) {
    const created = await session.send(await session.prepare(generated));
    if (statusOf(created) !== 201) return fail(created, `create answered ${statusOf(created)}`, '201');
    const id = (jsonOf(created) as { id?: unknown } | undefined)?.id;
    const read = await session.send(
      request(session.operation(READ), { pathParams: { ...generated.pathParams, noteId: id } }),
    );
    return statusOf(read) === 200 ? { ok: true } : fail(read, `read answered ${statusOf(read)}`, '200');
  },
};

export default defineConfig({
  specs: ['./notes.yaml'],
  mock: { port: 0, 'api-key': 'pkg-key' },
  test: { 'api-key': 'pkg-key', seed: 5, runs: 5 },
  checks: [createdHasId],
  contracts: [{ name: 'acme', sequences: [createThenRead] }],
});
