/**
 * Checks answers against the running mock's own specs: each body must match the schema the
 * operation documents for that status. Uses the spec engine's validator, as the contract suite does.
 */
import type { MockApp } from '../../src/mock/app.js';
import { documentedResponse } from '../../src/openapi/responses.js';
import type { Spec } from '../../src/openapi/types.js';
import { SpecValidator, type ValidationIssue } from '../../src/openapi/validator.js';
import { expect } from 'vitest';
import { send, type HttpResponse, type SendOptions } from './http.js';
import { specMockFor } from './mock.js';

export interface Verdict {
  exchange: string;
  /** False when the operation documents no schema for the status: nothing to check against. */
  checked: boolean;
  issues: ValidationIssue[];
}

export class ResponseConformance {
  private readonly validators = new Map<Spec, SpecValidator>();
  readonly verdicts: Verdict[] = [];

  constructor(private readonly app: MockApp) {}

  /** Records the verdict for one answer and returns it. */
  check(method: string, path: string, response: HttpResponse): Verdict {
    const exchange = `${method} ${path} → ${response.status}`;
    const routed = this.app.router.route(method, new URL(path, 'http://mock.local').pathname);
    if (routed.kind !== 'matched') throw new Error(`${exchange}: no operation routes there`);
    const { operation } = routed.match;
    const media = documentedResponse(operation, response.status)?.content[0];
    let verdict: Verdict;
    if (!media?.schemaPointer) {
      verdict = { exchange, checked: false, issues: [] };
    } else {
      let validator = this.validators.get(operation.spec);
      if (!validator) this.validators.set(operation.spec, (validator = new SpecValidator(operation.spec)));
      verdict = { exchange, checked: true, issues: validator.validate(media.schemaPointer, response.body, 'response') };
    }
    this.verdicts.push(verdict);
    return verdict;
  }
}

export interface CheckedMock {
  readonly url: string;
  /** Sends a request and asserts the answer matches the schema its operation documents for its status. */
  call(method: string, path: string, options?: SendOptions): Promise<HttpResponse>;
}

/** A mock of `specFiles` for the enclosing describe block, whose every answer through `call` is checked against the spec. */
export function checkedMock(specFiles: string[]): CheckedMock {
  const mock = specMockFor(specFiles);
  let conformance: ResponseConformance | undefined;
  return {
    get url() {
      return mock.url;
    },
    async call(method, path, options = {}) {
      const response = await send(mock.url, method, path, options);
      conformance ??= new ResponseConformance(mock.app);
      expect(conformance.check(method, path, response).issues, `${method} ${path}: ${response.text}`).toEqual([]);
      return response;
    },
  };
}
