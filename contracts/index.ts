/** The API contracts that ship with parley, one per bundled spec, each applied only to the spec it belongs to. */
import { bundledApiOf } from '../src/apis/recognise.js';
import type { ApiContract } from '../src/contract/api-contract.js';
import { eliza } from './eliza.js';
import { feather } from './feather.js';
import { julep } from './julep.js';

/** A bundled contract applies to a spec recognised as its API by content, not to any spec with a path like its own. */
const forItsApi = (contract: ApiContract): ApiContract => ({
  ...contract,
  matches: (spec) => bundledApiOf(spec) === contract.name,
});

export const BUNDLED_CONTRACTS: readonly ApiContract[] = [feather, julep, eliza].map(forItsApi);
