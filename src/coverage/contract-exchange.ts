/** A `parley test` exchange as a coverage observation: its operation's status, media type and the documented parameters its request carried. */
import type { Exchange } from '../contract/types.js';
import type { Operation, Parameter } from '../openapi/types.js';
import { parameterId, type CoverageModel, type Phase } from './model.js';

export function observeContractExchange(coverage: CoverageModel, exchange: Exchange, phase: Phase): void {
  const { request, response } = exchange;
  coverage.observeExchange(
    request.operation,
    phase,
    response?.status,
    response?.headers['content-type'],
    parametersCarried(exchange),
  );
}

/** `Object.keys(object).includes(name)`, without the list. */
const ownKey = (object: object, name: string): boolean => Object.prototype.propertyIsEnumerable.call(object, name);

/** An operation's parameters with their coverage ids, worked out once per operation (this runs for every exchange). */
const parameterIdsOf = new WeakMap<Operation, [Parameter, string][]>();

/**
 * The ids of the operation's parameters the request carried, in the operation's order: what
 * `parametersPresent` finds from the request's path, query (values left undefined are not sent) and
 * own header names (credentials added on the wire are not parameters), without listing them first.
 */
function parametersCarried({ request }: Exchange): string[] {
  const { operation } = request;
  let parameters = parameterIdsOf.get(operation);
  if (!parameters)
    parameterIdsOf.set(operation, (parameters = operation.parameters.map((p) => [p, parameterId(p.in, p.name)])));
  const carried: string[] = [];
  let headerIds: Set<string> | undefined;
  for (const [parameter, id] of parameters) {
    const { name } = parameter;
    let present = false;
    if (parameter.in === 'path') present = ownKey(request.pathParams, name);
    else if (parameter.in === 'query') present = ownKey(request.query, name) && request.query[name] !== undefined;
    else if (parameter.in === 'header') {
      headerIds ??= new Set(Object.keys(request.headers).map((header) => parameterId('header', header)));
      present = headerIds.has(id);
    }
    if (present) carried.push(id);
  }
  return carried;
}
