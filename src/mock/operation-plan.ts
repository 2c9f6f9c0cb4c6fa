/**
 * What the mock needs to know about an operation, worked out once when it starts: the request
 * pipeline then makes no spec lookups per request (which compiled validator to use, which behaviour
 * answers, which status a validation error takes, which content type a 201 carries).
 */
import { answerMedia } from '../openapi/responses.js';
import type { Operation, Spec } from '../openapi/types.js';
import type { SpecValidator } from '../openapi/validator.js';
import type { Behaviour } from './behaviour.js';
import { authenticatorFor, type Authenticator } from './credentials.js';
import { pickStatus } from './error-style.js';

// Statuses for each kind of client error, best first: the first the operation documents is used.
const VALIDATION_STATUSES = [422, 400];
const MEDIA_TYPE_STATUSES = [415, 422, 400];
const AUTH_STATUSES = [401, 403];

export interface OperationPlan {
  readonly operation: Operation;
  readonly spec: Spec;
  readonly validator: SpecValidator;
  /** Finds the caller's credential (the tenant) or says which is missing. */
  readonly authenticate: Authenticator;
  /** The hand-written behaviour; undefined where the generic one answers (it needs the concrete path). */
  readonly behaviour: Behaviour | undefined;
  /** The status each kind of client error takes for this operation. */
  readonly statuses: { readonly validation: number; readonly mediaType: number; readonly auth: number };
  /** The request body media types, for the message of a 415. */
  readonly acceptedMediaTypes: string;
  /** The content type documented first for a status; application/json where none (or only a range) is. */
  contentTypeFor(status: number): string;
}

export function planOperation(
  operation: Operation,
  validator: SpecValidator,
  allowedKeys: ReadonlySet<string> | undefined,
  behaviour: Behaviour | undefined,
): OperationPlan {
  const contentTypes = new Map<number, string>();
  for (const response of operation.responses) {
    const documented = answerMedia(response)?.mediaType;
    if (/^\d+$/.test(response.status) && documented && !documented.includes('*'))
      contentTypes.set(Number(response.status), documented);
  }
  const bodyMedia = operation.requestBody?.content;
  return {
    operation,
    spec: operation.spec,
    validator,
    authenticate: authenticatorFor(operation, allowedKeys),
    behaviour,
    statuses: {
      validation: pickStatus(operation, VALIDATION_STATUSES),
      mediaType: pickStatus(operation, MEDIA_TYPE_STATUSES),
      auth: pickStatus(operation, AUTH_STATUSES),
    },
    acceptedMediaTypes: (bodyMedia ?? []).map((media) => media.mediaType).join(' or '),
    contentTypeFor: (status) => contentTypes.get(status) ?? 'application/json',
  };
}
