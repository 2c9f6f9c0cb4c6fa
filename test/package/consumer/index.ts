// A project that depends on the packed parley: its own spec, a user contract with a typed sequence,
// run by runContract against the mock, both imported from the package as a user would.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import {
  fail,
  jsonOf,
  runContract,
  startMockServer,
  statusOf,
  type ApiContract,
  type Report,
  type Sequence,
} from 'parley';

const spec = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'notes.yaml');
const CREATE = 'POST /notebooks/{notebookId}/notes';
const READ = 'GET /notebooks/{notebookId}/notes/{noteId}';

const createdNoteReadable: Sequence<{ notebook: string; text: string }> = {
  name: 'acme.created_note_readable',
  description: 'a created note is read back with the text it was given',
  operations: [CREATE, READ],
  input: () =>
    fc.record({ notebook: fc.stringMatching(/^[a-z]{1,8}$/), text: fc.string({ minLength: 1, maxLength: 40 }) }),
  async run(session, input) {
    const created = await session.send({
      operation: session.operation(CREATE),
      pathParams: { notebookId: input.notebook },
      query: {},
      headers: {},
      body: { text: input.text },
    });
    if (statusOf(created) !== 201) return fail(created, `create answered ${statusOf(created)}`, '201');
    const id: unknown = (jsonOf(created) as { id?: unknown } | undefined)?.id;
    const read = await session.send({
      operation: session.operation(READ),
      pathParams: { notebookId: input.notebook, noteId: id },
      query: {},
      headers: {},
    });
    const text: unknown = (jsonOf(read) as { text?: unknown } | undefined)?.text;
    return statusOf(read) === 200 && text === input.text
      ? { ok: true }
      : fail(
          read,
          `read answered ${statusOf(read)} with text ${JSON.stringify(text)}`,
          `200 with ${JSON.stringify(input.text)}`,
        );
  },
};

const acme: ApiContract = { name: 'acme', sequences: [createdNoteReadable] };

// The mock knows its key: one that takes any key would rightly fail ignored_auth.
const mock = await startMockServer({ specFiles: [spec], port: 0, host: '127.0.0.1', apiKeys: ['pkg-key'] });
try {
  const report: Report = await runContract({
    target: mock.url,
    specFiles: [spec],
    apiKey: 'pkg-key',
    contracts: [acme],
    seed: 3,
    runs: 5,
  });
  const ran = report.tallies
    .filter((tally) => tally.check === acme.sequences[0].name)
    .reduce((sum, tally) => sum + tally.passed + tally.failed, 0);
  console.log(
    JSON.stringify({
      failed: report.failures.map((failure) => `${failure.operation} ${failure.check}: ${failure.message}`),
      requests: report.requests,
      userSequenceRuns: ran,
    }),
  );
} finally {
  await mock.close();
}
