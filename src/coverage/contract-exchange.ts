/** A `parley test` exchange as a coverage observation: its operation's status, media type and the documented parameters its request carried. */
import type { Exchange } from '../contract/types.js';
import { parametersPresent, type CoverageModel, type Phase } from './model.js';

export function observeContractExchange(coverage: CoverageModel, exchange: Exchange, phase: Phase): void {
  const { request, response } = exchange;
  const parameters = parametersPresent(request.operation, {
    path: Object.keys(request.pathParams),
    query: Object.keys(request.query).filter((name) => request.query[name] !== undefined),
    // The request's own headers: credentials added on the wire are not parameters.
    headers: Object.keys(request.headers),
  });
  coverage.observeExchange(request.operation, phase, response?.status, response?.headers['content-type'], parameters);
}
