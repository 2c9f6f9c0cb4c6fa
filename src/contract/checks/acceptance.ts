/** Valid requests are accepted, invalid ones rejected, and credentials are required where declared. */
import { documentedSuccessStatuses, isDocumented } from '../../openapi/responses.js';
import type { Check, ContractRequest, RequestKind } from '../types.js';

export const validRequestAccepted: Check = {
  name: 'valid_request_accepted',
  description: 'a request that matches the spec gets a 2xx',
  kinds: ['valid'],
  run: ({ response, request }) => {
    if (!response) return { outcome: 'skip' };
    if (response.status >= 200 && response.status < 300) return { outcome: 'pass' };
    if (response.status >= 500) return { outcome: 'skip' }; // reported by not_a_server_error
    // An operation that documents no success (only a 401, say) promises only what it documents.
    if (documentedSuccessStatuses(request.operation).length === 0)
      return isDocumented(request.operation, response.status) ? { outcome: 'pass' } : { outcome: 'skip' };
    if (response.status === 404 && !request.prepared && request.operation.parameters.some((p) => p.in === 'path')) {
      // A generated id names no resource, and 404 says so. With a contract's prepare hook supplying real ids, a 404 fails.
      return {
        outcome: 'warn',
        message: 'a 404 for generated path parameters (no such resource); a contract in contracts/ can supply real ids',
      };
    }
    const extreme = response.status < 500 ? extremeNumberIn(request) : undefined;
    if (extreme !== undefined) {
      // A server may hold limits the spec does not state; refusing 2^53 minutes is a gap in the spec, not a broken server.
      return {
        outcome: 'warn',
        message: `a schema-valid request with the extreme value ${extreme} got ${response.status}: the spec states no bound that rules it out`,
      };
    }
    return {
      outcome: 'fail',
      message: `a valid request got ${response.status}: ${response.text.slice(0, 160)}`,
      expected: 'a 2xx status',
    };
  },
};

/** A number of a magnitude few servers can hold (past 32 bits, or denormal-small) anywhere in the request. */
function extremeNumberIn(request: ContractRequest): number | undefined {
  const pending: unknown[] = [request.body, request.query, request.pathParams];
  for (let visited = 0; pending.length > 0 && visited < 10_000; visited++) {
    const value = pending.pop();
    if (typeof value === 'number' && value !== 0 && (Math.abs(value) >= 2 ** 31 || Math.abs(value) < 1e-6))
      return value;
    if (value !== null && typeof value === 'object') pending.push(...Object.values(value));
  }
  return undefined;
}

export const invalidRequestRejected: Check = {
  name: 'invalid_request_rejected',
  description: 'a request with one known violation gets a 4xx',
  kinds: ['invalid'],
  run: ({ response, request }) => {
    if (!response) return { outcome: 'skip' };
    if (response.status >= 400 && response.status < 500) return { outcome: 'pass' };
    if (response.status >= 500) return { outcome: 'skip' };
    return {
      outcome: 'fail',
      message: `accepted with ${response.status} although ${request.violation?.description}`,
      expected: 'a 4xx status',
    };
  },
};

/** A check that a request sent with unusable credentials is refused with 401 or 403. */
function refusedCredentials(name: string, description: string, kind: RequestKind, sentWith: string): Check {
  return {
    name,
    description,
    kinds: [kind],
    run: ({ response }) => {
      if (!response) return { outcome: 'skip' };
      if (response.status === 401 || response.status === 403) return { outcome: 'pass' };
      return { outcome: 'fail', message: `answered ${response.status} ${sentWith}`, expected: '401 or 403' };
    },
  };
}

export const missingCredentialsRejected = refusedCredentials(
  'missing_credentials_rejected',
  'an operation that declares security rejects a request without credentials (401/403)',
  'no-credentials',
  'without credentials',
);

export const ignoredAuth = refusedCredentials(
  'ignored_auth',
  'an operation that declares security refuses a wrong key (401/403), not only a missing one',
  'wrong-credentials',
  'to a key it cannot know',
);
