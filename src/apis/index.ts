/** The APIs that ship with parley, one module each; the mock and the harness use those whose `matches` holds. */
import type { ApiContract } from '../contract/api-contract.js';
import type { ApiModule } from './api-module.js';
import { elizaApi } from './eliza/index.js';
import { featherApi } from './feather/index.js';
import { julepApi } from './julep/index.js';

export const BUNDLED_APIS: readonly ApiModule[] = [featherApi, julepApi, elizaApi];

/** Each module's contract, applied only to the specs the module recognises. */
export function contractsOf(modules: readonly ApiModule[]): ApiContract[] {
  return modules.flatMap((module) =>
    module.contract ? [{ ...module.contract, matches: module.contract.matches ?? module.matches }] : [],
  );
}

export const BUNDLED_CONTRACTS: readonly ApiContract[] = contractsOf(BUNDLED_APIS);

export type { ApiModule } from './api-module.js';
export { DEMO_AGENT } from './eliza/fixtures.js';
