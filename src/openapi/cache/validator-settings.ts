/**
 * Which cache each loaded spec's validators use: set by the load from its cache options, read when
 * the spec's validator is made. Apart from the validators' own module, so that a command that only
 * loads specs (`validate`, `diff`) does not load ajv.
 */
import type { Spec } from '../types.js';
import type { SpecCacheOptions } from './open.js';

const settings = new WeakMap<Spec, SpecCacheOptions | false>();

/** Cache the spec's compiled validators with these options (`false`: not at all). */
export function cacheValidatorsOf(spec: Spec, options: SpecCacheOptions | false | undefined): void {
  settings.set(spec, options ?? {});
}

/** The options the spec was loaded with; a spec made otherwise than by a load caches with the defaults. */
export function validatorCacheSettingsOf(spec: Spec): SpecCacheOptions | false {
  return settings.get(spec) ?? {};
}
