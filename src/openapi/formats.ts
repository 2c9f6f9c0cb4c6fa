/**
 * The formats the validators check, by name: ajv-formats' full set, then OpenAPI's own data-type
 * formats (ranges where they have one, accepted as they are otherwise). One table, read by ajv when
 * it compiles a schema and by validators loaded from the cache when they run.
 */
import type { Format } from 'ajv';
import { fullFormats } from 'ajv-formats/dist/formats.js';

const INT32 = { min: -(2 ** 31), max: 2 ** 31 - 1 };

/** OpenAPI's formats, as parley reads them (over ajv-formats' definitions of the same names). */
export const OPENAPI_FORMAT_DEFINITIONS: ReadonlyMap<string, Format> = new Map<string, Format>([
  ['int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= INT32.min && n <= INT32.max }],
  ['int64', { type: 'number', validate: (n: number) => Number.isInteger(n) }],
  ['float', { type: 'number', validate: () => true }],
  ['double', { type: 'number', validate: () => true }],
  ['byte', true],
  ['binary', true],
  ['password', true],
]);

/**
 * Every known format by name, as compiled code reads it (`formats["date-time"]`). No prototype: a
 * format name comes from the spec, and none may reach Object.prototype's members.
 */
export const FORMAT_TABLE: Readonly<Record<string, Format>> = Object.freeze(
  Object.assign(
    Object.create(null) as Record<string, Format>,
    fullFormats,
    Object.fromEntries(OPENAPI_FORMAT_DEFINITIONS),
  ),
);
