/** Julep's contract: a created session echoes what was sent, with the spec's defaults filled in. */
import fc from 'fast-check';
import { fail, jsonOf, statusOf, type ApiContract, type Sequence } from '../src/contract/api-contract.js';
import { applyDefaults } from '../src/spec/defaults.js';
import { schemaArbitrary } from '../src/spec/arbitrary.js';

const CREATE_SESSION = 'POST /sessions';

const defaultsEcho: Sequence<Record<string, unknown>> = {
  name: 'julep.defaults_echo',
  description: 'the Session echoes every field sent, and the documented default of every field left out',
  operations: [CREATE_SESSION],
  input: (session) => schemaArbitrary(session.operation(CREATE_SESSION).requestBody!.content[0].schema!, { direction: 'request', maxDepth: 3 }) as fc.Arbitrary<Record<string, unknown>>,
  async run(session, body) {
    const operation = session.operation(CREATE_SESSION);
    const created = await session.send({ operation, pathParams: {}, query: {}, headers: {}, body });
    if (statusOf(created) !== 201) return fail(created, `creating a session answered ${statusOf(created)}`, '201');
    // What the Session must show: the body with the request schema's defaults applied, for the fields a Session has.
    const expected = applyDefaults(operation.requestBody!.content[0].schema, body) as Record<string, unknown>;
    const sessionFields = Object.keys((operation.responses.find((r) => r.status === '201')?.content[0]?.schema as any)?.properties ?? {});
    const session201 = jsonOf(created) ?? {};
    for (const field of sessionFields) {
      if (!(field in expected)) continue;
      if (!deepEqual(session201[field], expected[field])) {
        return fail(created, `${field} is ${JSON.stringify(session201[field])}`, `${JSON.stringify(expected[field])} (sent or documented default)`);
      }
    }
    return { ok: true };
  },
};

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((key) => deepEqual((a as any)[key], (b as any)[key]));
}

export const julep: ApiContract = { name: 'julep', sequences: [defaultsEcho] };
