/**
 * Judges one proxied exchange against the operation it matches, with the same spec engine as the
 * mock (request parameters, credentials, body) and the contract suite's response checks.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { CHECKS } from '../contract/checks/index.js';
import { mediaTypeMatches, mediaTypeOf } from '../contract/checks/expectations.js';
import { parseJson } from '../contract/http.js';
import type { ContractRequest, ContractResponse, Exchange } from '../contract/types.js';
import { authenticatorFor } from '../mock/credentials.js';
import { parseJsonBody } from '../mock/json-body.js';
import { validateBody, validateParameters } from '../mock/request-validation.js';
import type { FieldIssue } from '../mock/api-error.js';
import type { RouteMatch } from '../openapi/router.js';
import type { SpecValidator } from '../openapi/validator.js';
import type { ObservedRequest, ObservedResponse, Problem } from './exchange.js';

/** The contract suite's checks that judge an answer by itself, whatever was asked. */
const RESPONSE_CHECKS = new Set([
  'not_a_server_error',
  'status_code_conformance',
  'content_type_conformance',
  'response_schema_conformance',
  'error_schema_conformance',
]);

export interface Judgement {
  violations: Problem[];
  warnings: Problem[];
}

const describeIssues = (issues: FieldIssue[]) =>
  issues
    .slice(0, 5)
    .map((i) => `${i.loc.join('.')}: ${i.msg}`)
    .join('; ');

/** `headers` and `query` are the raw, unredacted ones: credentials are looked for, never kept. */
export function judgeRequest(
  match: RouteMatch,
  validator: SpecValidator,
  request: ObservedRequest,
  raw: { headers: IncomingHttpHeaders; query: URLSearchParams },
): Problem[] {
  const { operation } = match;
  const problems: Problem[] = [];
  const add = (check: string, message: string) => problems.push({ side: 'request', check, message });
  if (authenticatorFor(operation, undefined)(raw.headers, raw.query).kind === 'missing')
    add('request_credentials', 'no credentials, though the operation declares security');
  const { issues } = validateParameters(operation, validator, {
    path: match.pathParams,
    query: raw.query,
    headers: raw.headers,
  });
  if (issues.length > 0) add('request_parameters', describeIssues(issues));
  const body = operation.requestBody;
  if (!body) return problems;
  if (request.bodyBytes === 0) {
    if (body.required) add('request_body', 'no body, though the operation requires one');
    return problems;
  }
  const type = mediaTypeOf(request.headers['content-type']);
  const media = type ? body.content.find((m) => mediaTypeMatches(m.mediaType, type)) : undefined;
  if (!media) {
    add(
      'request_content_type',
      `Content-Type ${type ?? '(none)'}, documented: ${body.content.map((m) => m.mediaType).join(', ')}`,
    );
    return problems;
  }
  if (!/json/i.test(media.mediaType) || request.truncated) return problems;
  const parsed = parseJsonBody(request.body);
  if (!parsed.ok) {
    add('request_body', parsed.message);
    return problems;
  }
  const bodyIssues = validateBody(validator, media.schemaPointer, parsed.value);
  if (bodyIssues.length > 0) add('request_schema', describeIssues(bodyIssues));
  return problems;
}

export function judgeResponse(
  match: RouteMatch,
  validator: SpecValidator,
  request: ObservedRequest,
  response: ObservedResponse,
  durationMs: number,
): Judgement {
  const judgement: Judgement = { violations: [], warnings: [] };
  // A body cut at the capture limit cannot be judged as JSON: only its status and type are.
  const text = response.truncated ? '' : response.body;
  const contractResponse: ContractResponse = {
    status: response.status,
    headers: response.headers,
    text,
    json: parseJson(text),
    durationMs,
  };
  const contractRequest: ContractRequest = {
    operation: match.operation,
    pathParams: match.pathParams,
    query: {},
    headers: {},
  };
  const exchange: Exchange = {
    kind: 'valid',
    request: contractRequest,
    wire: { method: request.method, url: request.url, headers: request.headers, body: request.body },
    response: contractResponse,
    validator,
  };
  for (const check of CHECKS) {
    if (!RESPONSE_CHECKS.has(check.name)) continue;
    if (
      response.truncated &&
      (check.name === 'response_schema_conformance' || check.name === 'error_schema_conformance')
    )
      continue;
    const verdict = check.run(exchange);
    if (verdict.outcome === 'fail')
      judgement.violations.push({
        side: 'response',
        check: check.name,
        message: `${verdict.message} (expected ${verdict.expected})`,
      });
    else if (verdict.outcome === 'warn')
      judgement.warnings.push({ side: 'response', check: check.name, message: verdict.message });
  }
  return judgement;
}
