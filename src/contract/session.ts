/** The ContractSession a phase hands to contracts: sends requests with the run's credentials, records every exchange. */
import type { Operation, Spec } from '../openapi/types.js';
import type { SpecValidator } from '../openapi/validator.js';
import { operationKey, type ApiContract, type ContractSession } from './api-contract.js';
import { maxResponseTime, SLOW_ANSWER_WARNING_MS } from './checks/operational.js';
import { toWire, type Credentials, type TargetClient } from './http.js';
import { validRequestArbitrary } from './requests.js';
import type { RunState } from './run-state.js';
import type { Exchange, Phase } from './types.js';

/** The run's credentials: the first key, a second tenant's where given, and a key no server should know (ignored_auth). */
export interface SessionCredentials {
  primary: Credentials;
  secondary?: Credentials;
  wrong: Credentials;
}

export interface SessionInput {
  spec: Spec;
  phase: Phase;
  client: TargetClient;
  credentials: SessionCredentials;
  validator: SpecValidator;
  contract: ApiContract | undefined;
  fixtures: Readonly<Record<string, string>>;
  state: RunState;
  /** --max-response-time: in the stateful phase, slower answers are warnings (no check judges them there). */
  maxResponseTimeMs?: number;
}

export function createSession({
  spec,
  phase,
  client,
  credentials,
  validator,
  contract,
  fixtures,
  state,
  maxResponseTimeMs,
}: SessionInput): ContractSession {
  const slowAfterMs = maxResponseTimeMs ?? SLOW_ANSWER_WARNING_MS;
  // Contracts look operations up by key for every request they prepare: each key is searched for once.
  const operationsByKey = new Map<string, Operation>();
  const session: ContractSession = {
    spec,
    fixtures,
    hasSecondCredential: credentials.secondary !== undefined,
    operation(key) {
      let found = operationsByKey.get(key);
      if (!found) {
        found = spec.operations.find((op) => operationKey(op) === key || op.id === key);
        if (!found) throw new Error(`${spec.name} has no operation ${key}`);
        operationsByKey.set(key, found);
      }
      return found;
    },
    validRequest: (key) => validRequestArbitrary(session.operation(key)),
    async send(request, kind = 'valid') {
      const chosen =
        request.credential === 'wrong'
          ? credentials.wrong
          : request.credential === 'secondary'
            ? credentials.secondary
            : credentials.primary;
      if (!chosen)
        throw new Error(
          'a request for the second tenant, but the run has no second credential (the sequence should declare needsSecondCredential)',
        );
      const wire = toWire(request, client.base, chosen);
      const sent = await client.send(wire);
      const exchange: Exchange = {
        kind,
        request,
        wire,
        validator,
        ...('response' in sent
          ? { response: sent.response }
          : { response: undefined, transportError: sent.transportError }),
      };
      state.observe(spec, exchange, phase);
      if (phase === 'stateful' && exchange.response && exchange.response.durationMs > slowAfterMs) {
        state.warn(
          spec,
          request.operation.id,
          maxResponseTime.name,
          phase,
          `a slow answer: ${Math.round(exchange.response.durationMs)} ms`,
          exchange,
        );
      }
      return exchange;
    },
    async prepare(request) {
      const hook = contract?.prepare?.[operationKey(request.operation)];
      return hook ? { ...(await hook(request, session)), prepared: true } : request;
    },
  };
  return session;
}

/**
 * The contract that belongs to a spec: the first that recognises it (`matches`), or, for a contract
 * without that test, the first whose prepare hooks or sequences name one of its operations.
 */
export function contractFor(contracts: readonly ApiContract[], spec: Spec): ApiContract | undefined {
  const keys = new Set(spec.operations.map(operationKey));
  return contracts.find((contract) =>
    contract.matches
      ? contract.matches(spec)
      : [...Object.keys(contract.prepare ?? {}), ...contract.sequences.flatMap((s) => s.operations)].some((key) =>
          keys.has(key),
        ),
  );
}
