/** The target answered at all, and not with a server error. */
import type { Check } from '../types.js';

export const responseReceived: Check = {
  name: 'response_received',
  description: 'a complete, well-formed HTTP response arrives within the request timeout',
  kinds: ['valid', 'invalid', 'no-credentials', 'wrong-credentials'],
  run: ({ response, transportError }) =>
    response
      ? { outcome: 'pass' }
      : { outcome: 'fail', message: transportError ?? 'no response', expected: 'an HTTP response' },
};

export const notAServerError: Check = {
  name: 'not_a_server_error',
  description: 'no 5xx for any request, valid or not',
  kinds: ['valid', 'invalid', 'no-credentials', 'wrong-credentials'],
  run: ({ response }) => {
    if (!response) return { outcome: 'skip' };
    return response.status >= 500
      ? { outcome: 'fail', message: `answered ${response.status}`, expected: 'a status below 500' }
      : { outcome: 'pass' };
  },
};
