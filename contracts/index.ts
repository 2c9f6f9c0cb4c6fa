/** The API contracts that ship with parley, one per bundled spec. */
import type { ApiContract } from '../src/contract/api-contract.js';
import { eliza } from './eliza.js';
import { feather } from './feather.js';
import { julep } from './julep.js';

export const BUNDLED_CONTRACTS: readonly ApiContract[] = [feather, julep, eliza];
