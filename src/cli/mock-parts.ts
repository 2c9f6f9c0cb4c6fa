/**
 * The parts of a mock a config file supplies (its behaviours as API modules, its fixtures), in one
 * place for every command that starts a mock: `parley mock` and `parley proxy --fallback mock`.
 */
import { BUNDLED_APIS } from '../apis/index.js';
import type { LoadedConfig } from '../config/load.js';
import type { MockServerOptions } from '../mock/server.js';
import type { Spec } from '../openapi/types.js';

export type ConfiguredMockParts = Required<Pick<MockServerOptions, 'apis'>> & Pick<MockServerOptions, 'fixtures'>;

/** The config's modules first (they win), then the bundled ones unless `bundled` is false. */
export function mockPartsFrom(config: LoadedConfig, specs: readonly Spec[], bundled = true): ConfiguredMockParts {
  return {
    apis: [...config.apis(specs), ...(bundled ? BUNDLED_APIS : [])],
    fixtures: config.config.fixtures,
  };
}
