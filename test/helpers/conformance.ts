/**
 * Checks answers against the running mock's own specs: each body must match the schema the
 * operation documents for that status. Uses the spec engine's validator, as the contract suite does.
 */
import type { MockApp } from '../../src/mock/app.js';
import { documentedResponse } from '../../src/spec/responses.js';
import type { Spec } from '../../src/spec/types.js';
import { SpecValidator, type ValidationIssue } from '../../src/spec/validator.js';
import type { HttpResponse } from './http.js';

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
