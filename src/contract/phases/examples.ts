/**
 * The examples phase: every example the spec documents for a request body and for a parameter (the
 * Parameter object's own `example`/`examples` and its schema's), sent as a valid request. An example that breaks its own schema is not sent: it is a
 * warning about the spec, not a test of the target.
 */
import type { Operation, Parameter } from '../../openapi/types.js';
import type { SpecValidator } from '../../openapi/validator.js';
import { PreconditionFailed } from '../api-contract.js';
import { confirmCheckFailure, judge, recordPrecondition, type PhaseContext } from '../judge.js';
import { baseRequest } from '../probe-plan.js';
import { jsonBodyOf } from '../requests.js';
import type { JobOutcome } from '../schedule.js';
import type { Check, ContractRequest } from '../types.js';
import { cutOutcome } from './timing.js';

export interface DocumentedExample {
  /** "body example <name>" or "query.limit example". */
  name: string;
  request: ContractRequest;
  /** Why it breaks its schema, when it does. */
  invalid?: string;
}

/** The documented examples of an operation's request, each as a whole request around a valid base. */
export function documentedExamples(operation: Operation, validator: SpecValidator, seed: number): DocumentedExample[] {
  const media = jsonBodyOf(operation);
  const parameterExamples = operation.parameters.filter(
    (p) => p.in !== 'cookie' && p.schemaPointer && examplesOf(p).length > 0,
  );
  if ((media?.examples.length ?? 0) === 0 && parameterExamples.length === 0) return [];
  const base = baseRequest(operation, validator, seed);
  const out: DocumentedExample[] = [];
  for (const example of media?.examples ?? []) {
    const issues = media!.schemaPointer ? validator.validate(media!.schemaPointer, example.value, 'request') : [];
    out.push({
      name: `body example "${example.name}"`,
      request: { ...base, body: example.value },
      ...(issues.length > 0 ? { invalid: summary(issues) } : {}),
    });
  }
  for (const parameter of parameterExamples) {
    for (const { name, value } of examplesOf(parameter)) {
      const issues = validator.validate(parameter.schemaPointer!, value, 'request');
      const group = parameter.in === 'path' ? 'pathParams' : parameter.in === 'query' ? 'query' : 'headers';
      const key = parameter.in === 'header' ? parameter.name.toLowerCase() : parameter.name;
      const request = {
        ...base,
        [group]: { ...base[group], [key]: parameter.in === 'header' ? String(value) : value },
      };
      out.push({
        name: `${parameter.in}.${parameter.name} example${name === undefined ? '' : ` "${name}"`}`,
        request,
        ...(issues.length > 0 ? { invalid: summary(issues) } : {}),
      });
    }
  }
  return out;
}

/** A parameter's own examples (named, from the Parameter object), then its schema's. */
function examplesOf(parameter: Parameter): { name?: string; value: unknown }[] {
  const schema = parameter.schema;
  const fromSchema =
    typeof schema !== 'object'
      ? []
      : Array.isArray(schema.examples)
        ? schema.examples
        : schema.example !== undefined
          ? [schema.example]
          : [];
  return [...parameter.examples, ...fromSchema.map((value) => ({ value }))];
}

const summary = (issues: { path: (string | number)[]; message: string }[]) =>
  issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || '(root)'} ${i.message}`)
    .join('; ');

/** Whether an operation has anything for this phase to send. */
export function hasExamples(operation: Operation): boolean {
  return (
    (jsonBodyOf(operation)?.examples.length ?? 0) > 0 ||
    operation.parameters.some((p) => p.in !== 'cookie' && examplesOf(p).length > 0)
  );
}

/**
 * The examples job: sends each documented example once. Resumable: cut at its share of the time,
 * it goes on later from the first example it did not send.
 */
export function examplesJob(context: PhaseContext, checks: Check[]): { run(until: number): Promise<JobOutcome> } {
  let examples: DocumentedExample[] | undefined;
  let next = 0;
  let sent = 0;
  const run = async (until: number): Promise<JobOutcome> => {
    const { spec, operation, session, validator, state } = context;
    if (checks.length === 0) return { done: true };
    examples ??= documentedExamples(operation, validator, context.seed);
    for (; next < examples.length; next++) {
      const example = examples[next];
      if (state.stopping || Date.now() >= until) return cutOutcome(state, sent > 0);
      if (example.invalid) {
        state.warn(
          spec,
          operation.id,
          'documented_example',
          'examples',
          `the documented ${example.name} breaks its own schema: ${example.invalid}`,
        );
        continue;
      }
      let request: ContractRequest;
      try {
        request = await session.prepare(example.request);
      } catch (error) {
        if (!(error instanceof PreconditionFailed)) throw error;
        recordPrecondition(context, error);
        return state.interrupted
          ? cutOutcome(state, sent > 0)
          : { done: false, reason: 'precondition', started: sent > 0 };
      }
      const exchange = await session.send(request, 'valid');
      if (state.interrupted) return cutOutcome(state, sent > 0);
      sent++;
      for (const failed of judge(context, exchange, checks))
        await confirmCheckFailure(context, 'examples', failed, exchange, 'valid');
    }
    return { done: true };
  };
  return { run };
}
