/** A `parley test` exchange as a coverage observation: its operation's status, media type and the documented parameters its request carried. */
import type { Exchange } from '../contract/types.js';
import { parameterId, parametersCarried, type CoverageModel, type Phase } from './model.js';

export function observeContractExchange(coverage: CoverageModel, exchange: Exchange, phase: Phase): void {
  const { request, response } = exchange;
  coverage.observeExchange(
    request.operation,
    phase,
    response?.status,
    response?.headers['content-type'],
    parametersOf(exchange),
  );
}

/** `Object.keys(object).includes(name)`, without the list. */
const ownKey = (object: object, name: string): boolean => Object.prototype.propertyIsEnumerable.call(object, name);

/**
 * What `parametersPresent` finds from the request's path, query (values left undefined are not
 * sent) and own header names (credentials added on the wire are not parameters), without listing
 * them first.
 */
function parametersOf({ request }: Exchange): string[] {
  let headerIds: Set<string> | undefined;
  return parametersCarried(request.operation, ({ in: location, name }, id) => {
    if (location === 'path') return ownKey(request.pathParams, name);
    if (location === 'query') return ownKey(request.query, name) && request.query[name] !== undefined;
    if (location !== 'header') return false;
    headerIds ??= new Set(Object.keys(request.headers).map((header) => parameterId('header', header)));
    return headerIds.has(id);
  });
}
