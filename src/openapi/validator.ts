/** Compiles request and response validators from a spec's bundled document (ajv, 3.0 and 3.1 dialects). */
import { Ajv2020 } from 'ajv/dist/2020.js';
import AjvDraft04Module from 'ajv-draft-04';
import addFormatsModule from 'ajv-formats';
import { _, type Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import standaloneModule from 'ajv/dist/standalone/index.js';
import { openCacheStore } from './cache/open.js';
import { type BlobStore, sha256 } from './cache/store.js';
import { exportName, FORMATS_MODULE, PATTERN_MODULE, ValidatorCache } from './cache/validator-cache.js';
import { validatorCacheSettingsOf } from './cache/validator-settings.js';
import { OPENAPI_FORMAT_DEFINITIONS } from './formats.js';
import { isPlainObject } from './json-value.js';
import { schemaRegExp } from './pattern.js';
import { resolvePointer, unescapeSegment } from './pointer.js';
import { schemaDocumentOf, unknownFormats } from './schema-document.js';
import type { Spec } from './types.js';

// Both packages ship CommonJS with a `default` export; under NodeNext the callable sits one level down.
const commonJsDefault = (module: unknown): unknown => (module as { default?: unknown }).default ?? module;
const AjvDraft04 = commonJsDefault(AjvDraft04Module) as new (options: object) => Ajv;
const addFormats = commonJsDefault(addFormatsModule) as (ajv: Ajv) => Ajv;
const standaloneCode = commonJsDefault(standaloneModule) as (ajv: Ajv, refs: Record<string, string>) => string;

export type Direction = 'request' | 'response';

/** One reason a value does not match its schema, with the path to the offending value. */
export interface ValidationIssue {
  path: (string | number)[];
  keyword: string;
  message: string;
  params: Record<string, unknown>;
}

/** ajv's pattern engine: `schemaRegExp`, which reads legacy escapes that the `u` flag refuses. */
const LENIENT_REGEXP = Object.assign((pattern: string, flags: string) => schemaRegExp(pattern, flags), {
  code: `require(${JSON.stringify(PATTERN_MODULE)})`,
});

/** `forCache`: keep each validator's code, for the validator cache (its formats and patterns read from parley's modules). */
function createAjv(spec: Spec, forCache: boolean): Ajv {
  const options = {
    strict: false,
    allErrors: true,
    verbose: true,
    validateSchema: false,
    // Schemas in real specs are often large; code generation is cached per pointer anyway.
    code: {
      optimize: false,
      regExp: LENIENT_REGEXP,
      source: forCache,
      formats: _`require(${FORMATS_MODULE})`,
    },
    logger: false as const,
  };
  const ajv = spec.version === '3.0' ? new AjvDraft04(options) : new Ajv2020(options);
  addFormats(ajv);
  for (const [name, definition] of OPENAPI_FORMAT_DEFINITIONS) ajv.addFormat(name, definition);
  const { document, formats } = schemaDocumentOf(spec);
  // A format parley does not know constrains nothing (load named it in the spec's warnings).
  for (const name of unknownFormats(formats)) ajv.addFormat(name, true);
  ajv.addSchema(document, documentKey(spec));
  return ajv;
}

function documentKey(spec: Spec): string {
  return `parley:${encodeURIComponent(spec.name)}`;
}

/** Says each reason the validator cache is not used once per process, not once per spec. */
const warned = new Set<string>();
function warnOnce(store: BlobStore, message: string): void {
  if (warned.has(message)) return;
  warned.add(message);
  store.warn(message);
}

function validatorCacheOf(spec: Spec, makePart: (pointers: readonly string[]) => string): ValidatorCache | undefined {
  const store = openCacheStore(validatorCacheSettingsOf(spec), 'validator cache');
  if (!store) return undefined;
  // Its entries are code that parley runs: only from a directory nobody else can write to.
  const notPrivate = store.whyNotPrivate();
  if (notPrivate !== undefined) {
    warnOnce(store, `not used: ${notPrivate}`);
    return undefined;
  }
  // What the code depends on besides the versions: the dialect, the document, the formats it names that parley does not know.
  const { document, formats } = schemaDocumentOf(spec);
  return new ValidatorCache(store, [spec.version, sha256(JSON.stringify(document)), unknownFormats(formats)], makePart);
}

const shared = new WeakMap<Spec, SpecValidator>();

/** The spec's validator shared by everything in this process that checks values (compiled schemas are cached per pointer). */
export function validatorOf(spec: Spec): SpecValidator {
  let validator = shared.get(spec);
  if (!validator) shared.set(spec, (validator = new SpecValidator(spec)));
  return validator;
}

/** Validates values against schemas named by their JSON pointer in one spec's bundled document. */
export class SpecValidator {
  /** Made at the first schema the cache does not hold. */
  private ajv: Ajv | undefined;
  private readonly compiled = new Map<string, ValidateFunction>();
  private readonly cache: ValidatorCache | undefined;
  /** Validators this instance took from the on-disk cache, and compiled with ajv. */
  readonly counts = { fromCache: 0, compiled: 0 };

  constructor(private readonly spec: Spec) {
    // A part's code is made from this validator's ajv, where each of its schemas was compiled.
    this.cache = validatorCacheOf(spec, (pointers) =>
      standaloneCode(
        this.ajv!,
        Object.fromEntries(pointers.map((pointer, index) => [exportName(index), this.schemaId(pointer)])),
      ),
    );
  }

  validate(pointer: string, value: unknown, direction: Direction): ValidationIssue[] {
    const validateFn = this.compile(pointer);
    if (validateFn(value)) return [];
    return (validateFn.errors ?? []).filter((error) => !isHiddenRequirement(error, direction, this.spec)).map(toIssue);
  }

  /** True when `value` matches: `validate(...).length === 0` without building the issues. */
  accepts(pointer: string, value: unknown, direction: Direction): boolean {
    const validateFn = this.compile(pointer);
    return (
      validateFn(value) || (validateFn.errors ?? []).every((error) => isHiddenRequirement(error, direction, this.spec))
    );
  }

  /** Compiles (once) and returns the validate function for the schema at `pointer`. */
  compile(pointer: string): ValidateFunction {
    let validateFn = this.compiled.get(pointer);
    if (!validateFn) {
      validateFn = this.cache?.load(pointer);
      if (validateFn) this.counts.fromCache++;
      else validateFn = this.compileWithAjv(pointer);
      this.compiled.set(pointer, validateFn);
    }
    return validateFn;
  }

  private schemaId(pointer: string): string {
    return `${documentKey(this.spec)}#${encodePointer(pointer)}`;
  }

  private compileWithAjv(pointer: string): ValidateFunction {
    const ajv = (this.ajv ??= createAjv(this.spec, this.cache !== undefined));
    const validateFn = ajv.getSchema(this.schemaId(pointer));
    if (!validateFn) throw new Error(`${this.spec.file}: no schema at #${pointer}`);
    this.cache?.add(pointer);
    this.counts.compiled++;
    return validateFn;
  }
}

function encodePointer(pointer: string): string {
  return pointer
    .split('/')
    .map((segment) => encodeURIComponent(segment).replace(/%7E/gi, '~'))
    .join('/');
}

/**
 * readOnly properties are not sent by clients and writeOnly ones are not returned by servers,
 * so a "required" failure for one of them in that direction is not a failure (OpenAPI 3.x).
 */
function isHiddenRequirement(error: ErrorObject, direction: Direction, spec: Spec): boolean {
  if (error.keyword !== 'required') return false;
  const properties = isPlainObject(error.parentSchema) ? error.parentSchema.properties : undefined;
  const name = String(error.params.missingProperty);
  const property = derefSchema(
    spec,
    isPlainObject(properties) && Object.hasOwn(properties, name) ? properties[name] : undefined,
  );
  if (!isPlainObject(property)) return false;
  return direction === 'request' ? property.readOnly === true : property.writeOnly === true;
}

/** Follows local `$ref`s in the bundled document (a bounded number of hops). */
function derefSchema(spec: Spec, schema: unknown): unknown {
  let current = schema;
  for (let hops = 0; hops < 32 && isPlainObject(current); hops++) {
    const ref = current.$ref;
    if (typeof ref !== 'string' || !ref.startsWith('#')) break;
    current = resolvePointer(spec.bundled, decodeURIComponent(ref.slice(1)));
  }
  return current;
}

function toIssue(error: ErrorObject): ValidationIssue {
  const path: (string | number)[] = error.instancePath
    ? error.instancePath
        .slice(1)
        .split('/')
        .map((segment) => {
          const name = unescapeSegment(segment);
          return /^\d+$/.test(name) ? Number(name) : name;
        })
    : [];
  if (error.keyword === 'required') path.push(error.params.missingProperty);
  if (error.keyword === 'additionalProperties') path.push(error.params.additionalProperty);
  return { path, keyword: error.keyword, message: error.message ?? 'is invalid', params: error.params };
}
