/** `parley diff`: every change between two versions of an OpenAPI document, breaking ones for the clients apart. */
import { isPlainObject } from '../openapi/json-value.js';
import { loadSpec } from '../openapi/load.js';
import type {
  MediaType,
  Operation,
  Parameter,
  ResponseSpec,
  SecurityRequirement,
  SecurityScheme,
  Spec,
} from '../openapi/types.js';
import type { Change, DiffReport } from './change.js';
import { diffSchema } from './schema-diff.js';

export async function diffSpecFiles(oldFile: string, newFile: string): Promise<DiffReport> {
  const [before, after] = await Promise.all([loadSpec(oldFile), loadSpec(newFile)]);
  return diffSpecs(before, after);
}

export function diffSpecs(before: Spec, after: Spec): DiffReport {
  const changes: Change[] = [];
  const report = (change: Change) => changes.push(change);
  const oldOperations = operationsByShape(before);
  const newOperations = operationsByShape(after);
  for (const [shape, operation] of oldOperations) {
    const successor = newOperations.get(shape);
    if (!successor) {
      report({
        id: 'operation-removed',
        breaking: true,
        operation: label(operation),
        location: 'operation',
        message: 'operation removed',
      });
      continue;
    }
    diffOperation(operation, successor, report);
  }
  for (const [shape, operation] of newOperations) {
    if (!oldOperations.has(shape))
      report({
        id: 'operation-added',
        breaking: false,
        operation: label(operation),
        location: 'operation',
        message: 'new operation',
      });
  }
  return {
    old: describe(before),
    new: describe(after),
    changes,
    breaking: changes.filter((c) => c.breaking).length,
  };
}

const describe = (spec: Spec) => ({
  file: spec.file,
  title: spec.title,
  version: isPlainObject(spec.bundled.info) ? String(spec.bundled.info.version ?? '') : '',
});

const label = (operation: Operation) => `${operation.method.toUpperCase()} ${operation.path}`;

/** Operations keyed by method and path with parameter names blanked: renaming {id} to {petId} is no change for a client. */
function operationsByShape(spec: Spec): Map<string, Operation> {
  return new Map(
    spec.operations.map((operation) => [
      `${operation.method} ${operation.path.replace(/\{[^}]*\}/g, '{}')}`,
      operation,
    ]),
  );
}

function diffOperation(before: Operation, after: Operation, report: (change: Change) => void): void {
  const operation = label(after);
  diffParameters(before, after, operation, report);
  diffRequestBody(before, after, operation, report);
  diffResponses(before, after, operation, report);
  diffSecurity(before.security, after.security, operation, report);
}

function diffParameters(
  before: Operation,
  after: Operation,
  operation: string,
  report: (change: Change) => void,
): void {
  // Path parameters are matched by position, the rest by location and name.
  const key = (op: Operation, parameter: Parameter) =>
    parameter.in === 'path'
      ? `path:${(op.path.match(/\{[^}]*\}/g) ?? ([] as string[])).indexOf(`{${parameter.name}}`)}`
      : `${parameter.in}:${parameter.in === 'header' ? parameter.name.toLowerCase() : parameter.name}`;
  const oldParameters = new Map(before.parameters.map((p) => [key(before, p), p]));
  const newParameters = new Map(after.parameters.map((p) => [key(after, p), p]));
  for (const [id, parameter] of newParameters) {
    const where = `${parameter.in} parameter ${parameter.name}`;
    const previous = oldParameters.get(id);
    if (!previous) {
      report(
        parameter.required
          ? {
              id: 'request-parameter-added-required',
              breaking: true,
              operation,
              location: where,
              message: 'new required parameter: clients that do not send it are rejected',
            }
          : {
              id: 'request-parameter-added',
              breaking: false,
              operation,
              location: where,
              message: 'new optional parameter',
            },
      );
      continue;
    }
    if (!previous.required && parameter.required)
      report({
        id: 'request-parameter-became-required',
        breaking: true,
        operation,
        location: where,
        message: 'became required',
      });
    if (previous.required && !parameter.required)
      report({
        id: 'request-parameter-became-optional',
        breaking: false,
        operation,
        location: where,
        message: 'became optional',
      });
    diffSchema(
      previous.schema,
      parameter.schema,
      { direction: 'request', idPrefix: 'request-parameter', operation, where },
      report,
    );
  }
  for (const [id, parameter] of oldParameters) {
    if (!newParameters.has(id))
      report({
        id: 'request-parameter-removed',
        breaking: false,
        operation,
        location: `${parameter.in} parameter ${parameter.name}`,
        message: 'parameter removed (clients still sending it are ignored)',
      });
  }
}

function diffRequestBody(
  before: Operation,
  after: Operation,
  operation: string,
  report: (change: Change) => void,
): void {
  const oldBody = before.requestBody;
  const newBody = after.requestBody;
  if (!newBody) {
    if (oldBody)
      report({
        id: 'request-body-removed',
        breaking: false,
        operation,
        location: 'request body',
        message: 'request body no longer read',
      });
    return;
  }
  if (!oldBody) {
    report(
      newBody.required
        ? {
            id: 'request-body-added-required',
            breaking: true,
            operation,
            location: 'request body',
            message: 'a request body is now required',
          }
        : {
            id: 'request-body-added',
            breaking: false,
            operation,
            location: 'request body',
            message: 'optional request body added',
          },
    );
    return;
  }
  if (!oldBody.required && newBody.required)
    report({
      id: 'request-body-became-required',
      breaking: true,
      operation,
      location: 'request body',
      message: 'the request body became required',
    });
  diffContent(oldBody.content, newBody.content, 'request', operation, 'request', report);
}

function diffResponses(before: Operation, after: Operation, operation: string, report: (change: Change) => void): void {
  const newResponses = new Map(after.responses.map((r) => [r.status, r]));
  const oldResponses = new Map(before.responses.map((r) => [r.status, r]));
  for (const [status, response] of oldResponses) {
    const successor = newResponses.get(status);
    if (!successor) {
      const success = status.startsWith('2');
      report({
        id: success ? 'response-success-status-removed' : 'response-status-removed',
        breaking: success,
        operation,
        location: `response ${status}`,
        message: success
          ? `status ${status} no longer answered: clients expecting it fail`
          : `status ${status} no longer documented`,
      });
      continue;
    }
    diffResponseHeaders(response, successor, operation, report);
    diffContent(response.content, successor.content, 'response', operation, `response ${status}`, report);
  }
  for (const [status] of newResponses) {
    if (oldResponses.has(status)) continue;
    const success = status.startsWith('2');
    report({
      id: success ? 'response-success-status-added' : 'response-status-added',
      breaking: false,
      operation,
      location: `response ${status}`,
      message: `status ${status} now documented`,
    });
  }
}

function diffResponseHeaders(
  before: ResponseSpec,
  after: ResponseSpec,
  operation: string,
  report: (change: Change) => void,
): void {
  const now = new Set(after.headers.map((h) => h.toLowerCase()));
  for (const header of before.headers) {
    if (!now.has(header.toLowerCase()))
      report({
        id: 'response-header-removed',
        breaking: true,
        operation,
        location: `response ${before.status} header ${header}`,
        message: 'header no longer sent',
      });
  }
}

function diffContent(
  before: MediaType[],
  after: MediaType[],
  direction: 'request' | 'response',
  operation: string,
  where: string,
  report: (change: Change) => void,
): void {
  const newMedia = new Map(after.map((m) => [m.mediaType.toLowerCase(), m]));
  const oldMedia = new Map(before.map((m) => [m.mediaType.toLowerCase(), m]));
  for (const [type, media] of oldMedia) {
    const successor = newMedia.get(type);
    if (!successor) {
      // A client can no longer send this type; a server may still answer it, but no client is told to expect anything else.
      const breaking = direction === 'request';
      report({
        id: `${direction}-media-type-removed`,
        breaking,
        operation,
        location: `${where} ${type}`,
        message: `${type} no longer ${direction === 'request' ? 'accepted' : 'answered'}`,
      });
      continue;
    }
    diffSchema(
      media.schema,
      successor.schema,
      {
        direction,
        idPrefix: `${direction}-body`,
        operation,
        where: `${where}${oldMedia.size > 1 ? ` ${type}` : ''} body`,
      },
      report,
    );
  }
  for (const [type] of newMedia) {
    if (oldMedia.has(type)) continue;
    report({
      id: `${direction}-media-type-added`,
      breaking: false,
      operation,
      location: `${where} ${type}`,
      message: `${type} now ${direction === 'request' ? 'accepted' : 'documented'}`,
    });
  }
}

/** A scheme by what a client has to send, not by the name the document gives it. */
function schemeIdentity(scheme: SecurityScheme): string {
  if (scheme.type === 'apiKey')
    return `apiKey:${scheme.in}:${scheme.in === 'header' ? scheme.name.toLowerCase() : scheme.name}`;
  if (scheme.type === 'http') return `http:${scheme.scheme.toLowerCase()}`;
  return scheme.type;
}

/**
 * A client satisfies one old alternative. It keeps working when some new alternative asks for no
 * more than that alternative did; otherwise the operation now needs a credential it never sent.
 */
function diffSecurity(
  before: SecurityRequirement[],
  after: SecurityRequirement[],
  operation: string,
  report: (change: Change) => void,
): void {
  const oldAlternatives = before.length === 0 ? [new Set<string>()] : before.map((a) => new Set(a.map(schemeIdentity)));
  const newAlternatives = after.length === 0 ? [new Set<string>()] : after.map((a) => new Set(a.map(schemeIdentity)));
  const describe = (alternative: Set<string>) =>
    alternative.size === 0 ? 'no credentials' : [...alternative].join(' + ');
  let broken = false;
  for (const alternative of oldAlternatives) {
    if (newAlternatives.some((candidate) => [...candidate].every((scheme) => alternative.has(scheme)))) continue;
    broken = true;
    report({
      id: alternative.size === 0 ? 'security-added' : 'security-changed',
      breaking: true,
      operation,
      location: 'security',
      message: `clients sending ${describe(alternative)} now need ${newAlternatives.map(describe).join(' or ')}`,
    });
  }
  if (broken) return;
  for (const alternative of newAlternatives) {
    if (oldAlternatives.some((candidate) => [...candidate].every((scheme) => alternative.has(scheme)))) continue;
    report({
      id: 'security-alternative-added',
      breaking: false,
      operation,
      location: 'security',
      message: `now also accepts ${describe(alternative)}`,
    });
  }
}
