/** Julep's contract: a created session echoes what was sent, with the spec's defaults filled in. */
import fc from 'fast-check';
import { fail, jsonOf, request, statusOf, type ApiContract, type Sequence } from '../../contract/api-contract.js';
import { echoMismatch, identicalCreatesAreDistinct } from '../../contract/properties.js';
import { applyDefaults } from '../../openapi/defaults.js';
import { schemaArbitrary } from '../../openapi/arbitrary.js';

const CREATE_SESSION = 'POST /sessions';

const defaultsEcho: Sequence<Record<string, unknown>> = {
  name: 'julep.defaults_echo',
  description: 'the Session echoes every field sent, and the documented default of every field left out',
  operations: [CREATE_SESSION],
  input: (session) =>
    schemaArbitrary(session.operation(CREATE_SESSION).requestBody!.content[0].schema!, {
      direction: 'request',
      maxDepth: 3,
    }) as fc.Arbitrary<Record<string, unknown>>,
  async run(session, body) {
    const operation = session.operation(CREATE_SESSION);
    const created = await session.send(request(operation, { body }));
    if (statusOf(created) !== 201) return fail(created, `creating a session answered ${statusOf(created)}`, '201');
    // What the Session must show: the body with the request schema's defaults applied; a field sent as null may be absent where the Session schema allows.
    const expected = applyDefaults(operation.requestBody!.content[0].schema, body) as Record<string, unknown>;
    const mismatch = echoMismatch(
      operation.responses.find((r) => r.status === '201')?.content[0]?.schema,
      expected,
      jsonOf(created),
    );
    return mismatch ? fail(created, mismatch.message, mismatch.expected) : { ok: true };
  },
};

const distinctSessions = identicalCreatesAreDistinct<Record<string, unknown>>({
  name: 'julep.distinct_sessions',
  operation: CREATE_SESSION,
  idField: 'id',
  status: 201,
  input: () => fc.record({ situation: fc.option(fc.string({ maxLength: 40 }), { nil: null }) }),
  request: (session, body) => ({
    operation: session.operation(CREATE_SESSION),
    pathParams: {},
    query: {},
    headers: {},
    body,
  }),
});

export const julep: ApiContract = { name: 'julep', generic: false, sequences: [defaultsEcho, distinctSessions] };
