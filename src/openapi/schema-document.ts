/**
 * The copy of a spec's bundled document that the validators compile. ajv walks every key of the
 * document it is given looking for schema ids, so example payloads, default-free annotations and
 * vendor extensions are left out (a 3.0 example object with an `"id": "v2"` string would otherwise
 * be read as a draft-04 schema id and clash with the next one). JSON pointers into the bundled
 * document still name the same schemas in the copy: only keys are dropped, none moved.
 */
import { needsCheckedGeneration, recordSchemaPlace } from './checked-schemas.js';
import { branchTagsOf, type RefResolver, recordBranchTags, withTagsRequired } from './discriminator.js';
import { FORMAT_TABLE } from './formats.js';
import { forEachNode, isPlainObject } from './json-value.js';
import { escapeSegment, resolvePointer, unescapeSegment } from './pointer.js';
import type { OpenApiVersion, Spec } from './types.js';

/** Maps whose keys are names chosen by the spec's author, not OpenAPI or JSON Schema keywords. */
const NAME_MAPS = new Set([
  'properties',
  'patternProperties',
  'definitions',
  '$defs',
  'dependentSchemas',
  'schemas',
  'responses',
  'parameters',
  'headers',
  'content',
  'paths',
  'callbacks',
  'securitySchemes',
  'requestBodies',
  'links',
  'encoding',
  'webhooks',
  'pathItems',
]);

/** Keys whose values are data or annotations, never schemas a validator needs. */
function isPayloadKey(key: string): boolean {
  return key === 'example' || key === 'examples' || key.startsWith('x-');
}

export interface SchemaDocument {
  document: Record<string, unknown>;
  /** Every `format` name the schemas use. */
  formats: Set<string>;
}

/** Formats the validators check; any other is accepted as it is (and named in the spec's warnings). */
export const KNOWN_FORMATS: ReadonlySet<string> = new Set(Object.keys(FORMAT_TABLE));

export function unknownFormats(formats: Iterable<string>): string[] {
  return [...formats].filter((name) => !KNOWN_FORMATS.has(name)).sort();
}

const documents = new WeakMap<Spec, SchemaDocument>();

/**
 * The spec's schema document, built once (at load) and shared by every validator of the spec. The
 * same walk gives each discriminated union of the dereferenced document its branch tags, read
 * from the bundled one where the branches' `$ref` names are still there, and each schema
 * generators check what they build for (`checked-schemas.ts`) its place.
 */
export function schemaDocumentOf(spec: Spec): SchemaDocument {
  let prepared = documents.get(spec);
  if (!prepared)
    documents.set(
      spec,
      (prepared = schemaDocument(spec.bundled, spec.version, spec.dereferenced, (union, pointer) =>
        recordSchemaPlace(union, { spec, pointer }),
      )),
    );
  return prepared;
}

export function schemaDocument(
  bundled: Record<string, unknown>,
  version: OpenApiVersion,
  dereferenced?: Record<string, unknown>,
  onChecked?: (dereferencedSchema: object, pointer: string) => void,
): SchemaDocument {
  const formats = new Set<string>();
  // Branch schemas are read in the bundled document as written (the copy may already be rewritten).
  const resolveRef = (ref: string) =>
    ref.startsWith('#') ? resolvePointer(bundled, decodeURIComponent(ref.slice(1))) : undefined;
  const seen = new Map<object, unknown>();
  const tagged = new Set<object>();
  // Places are told once the document is whole: a place inside a tagged union's branch moves below its wrapper.
  const checked: [object, string][] = [];
  const recordChecked = (twin: object, pointer: string) => checked.push([twin, pointer]);
  /**
   * A `$ref` with sibling keywords (OpenAI's `{type: object, title: Item, $ref: Item}`) is
   * dereferenced to a merged copy of its target, not the target itself: the copy gets the target's
   * branch tags and place too.
   */
  const recordMergedCopy = (twin: object, ref: string) => {
    const target = resolveRef(ref);
    if (!isPlainObject(target) || twin === resolvedTwin(ref)) return;
    const tags = branchTagsOf(target, resolveRef);
    if (tags) recordBranchTags(twin, tags);
    if (needsCheckedGeneration(target, tags !== undefined)) recordChecked(twin, decodeURIComponent(ref.slice(1)));
  };
  const resolvedTwin = (ref: string) =>
    dereferenced && ref.startsWith('#') ? resolvePointer(dereferenced, decodeURIComponent(ref.slice(1))) : undefined;
  const copy = (node: unknown, namesHere: boolean, place: Place): unknown => {
    if (node === null || typeof node !== 'object') return node;
    const done = seen.get(node);
    if (done !== undefined) return done;
    const { twin, pointer } = place;
    if (Array.isArray(node)) {
      const items: unknown[] = [];
      seen.set(node, items);
      for (const [index, item] of node.entries())
        items.push(
          copy(item, false, {
            twin: Array.isArray(twin) ? twin[index] : undefined,
            pointer: `${pointer}/${index}`,
            anchor: place.anchor,
          }),
        );
      return items;
    }
    const result: Record<string, unknown> = {};
    seen.set(node, result);
    // The target of a `$ref` is walked where it is defined.
    const twinObject = isPlainObject(twin) && !('$ref' in node) ? twin : undefined;
    if (!namesHere && isPlainObject(twin) && typeof (node as Record<string, unknown>).$ref === 'string')
      recordMergedCopy(twin, (node as Record<string, unknown>).$ref as string);
    const anchor = !namesHere && isRecursiveAnchor(node) ? { pointer, twin: twinObject } : place.anchor;
    for (const [key, value] of Object.entries(node)) {
      if (!namesHere && isPayloadKey(key)) continue;
      if (!namesHere && key === 'format' && typeof value === 'string') formats.add(value);
      // Own data property even for "__proto__": a name from the spec must never reach a prototype.
      Object.defineProperty(result, key, {
        value: copy(value, !namesHere && NAME_MAPS.has(key), {
          twin: twinObject && Object.hasOwn(twinObject, key) ? twinObject[key] : undefined,
          pointer: `${pointer}/${escapeSegment(key)}`,
          anchor,
        }),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    if (namesHere) return result;
    withRecursiveRefResolved(result, twinObject, anchor);
    const discriminated = withTaggedBranches(node, result, twinObject, resolveRef);
    if (discriminated) tagged.add(result);
    if (twinObject && needsCheckedGeneration(result, discriminated)) recordChecked(twinObject, pointer);
    if (version !== '3.0') withNumericExclusiveBounds(result);
    return withoutTypelessNullable(result);
  };
  const document = copy(bundled, false, { twin: dereferenced, pointer: '', anchor: undefined }) as Record<
    string,
    unknown
  >;
  if (tagged.size > 0) refsPastTaggedBranches(document, tagged);
  for (const [twin, pointer] of checked)
    onChecked?.(twin, tagged.size > 0 ? pointerPastWrappers(document, pointer, tagged) : pointer);
  return { document, formats };
}

/** Where the walk is: the node at the same place in the dereferenced document (none below a `$ref`), and in the bundled one. */
interface Place {
  twin: unknown;
  pointer: string;
  /** The nearest enclosing schema with `$recursiveAnchor: true`. */
  anchor: RecursiveAnchor | undefined;
}

interface RecursiveAnchor {
  pointer: string;
  twin: object | undefined;
}

function isRecursiveAnchor(node: object): boolean {
  return (node as Record<string, unknown>).$recursiveAnchor === true;
}

/**
 * 2019-09's `$recursiveRef: "#"` beside a `$recursiveAnchor` (OpenAI's compound `filters`, whose
 * items are a comparison filter or a compound filter again) means the anchored schema. Read as
 * written, "#" is the root of whatever schema a validator was compiled for: a union compiled on its
 * own then refers to itself and never ends. The copy gets a plain `$ref` to the anchored schema,
 * and the dereferenced twin (which no dereferencing resolved) the anchored schema as an `allOf`
 * part, so generators build the compound filter it means.
 */
function withRecursiveRefResolved(
  schema: Record<string, unknown>,
  twin: Record<string, unknown> | undefined,
  anchor: RecursiveAnchor | undefined,
): void {
  if (schema.$recursiveRef !== '#' || !anchor) return;
  delete schema.$recursiveRef;
  schema.$ref = `#${anchor.pointer.split('/').map(encodeURIComponent).join('/')}`;
  if (twin && anchor.twin) {
    delete twin.$recursiveRef;
    twin.allOf = [anchor.twin];
  }
}

/**
 * A discriminated union's branches each require their tag, so a value matches the one its tag
 * names; the dereferenced twin gets the tags for generators and examples. False when the schema
 * is no discriminated union.
 */
function withTaggedBranches(
  original: object,
  schema: Record<string, unknown>,
  twin: object | undefined,
  resolve: RefResolver,
): boolean {
  // Tags are read in the bundled document (`original`), where a mapping target is the very branch it names.
  const tags = branchTagsOf(original as Record<string, unknown>, resolve);
  if (!tags) return false;
  if (twin) recordBranchTags(twin, tags);
  withTagsRequired(schema, tags);
  return true;
}

/**
 * A bundler inlines a shared schema where it first meets it, which can be a branch of a
 * discriminated union (`…/oneOf/0`), and points its other uses there. Such a branch now sits,
 * as it was written, at `…/oneOf/0/allOf/0` of its tag-requiring wrapper: the other uses are
 * pointed there, so they do not take this union's tags on.
 */
function refsPastTaggedBranches(document: Record<string, unknown>, tagged: Set<object>): void {
  forEachNode(document, (node) => {
    const ref = (node as { $ref?: unknown }).$ref;
    if (typeof ref === 'string' && ref.startsWith('#/') && /\/(oneOf|anyOf)\//.test(ref))
      (node as { $ref: string }).$ref = refPastWrappers(document, ref, tagged);
  });
}

function refPastWrappers(document: Record<string, unknown>, ref: string, tagged: Set<object>): string {
  const segments = segmentsPastWrappers(document, ref.slice(2).split('/'), tagged, (segment) =>
    unescapeSegment(decodeURIComponent(segment)),
  );
  return segments ? `#/${segments.join('/')}` : ref;
}

/** The same for a JSON pointer (`/paths/...`, not URI-encoded), as the walk records schema places. */
function pointerPastWrappers(document: Record<string, unknown>, pointer: string, tagged: Set<object>): string {
  if (pointer === '') return pointer;
  const segments = segmentsPastWrappers(document, pointer.slice(1).split('/'), tagged, unescapeSegment);
  return segments ? `/${segments.join('/')}` : pointer;
}

/** `segments` with `allOf/0` inserted below each tagged union branch they pass; undefined where they lead nowhere. */
function segmentsPastWrappers(
  document: Record<string, unknown>,
  segments: string[],
  tagged: Set<object>,
  keyOf: (segment: string) => string,
): string[] | undefined {
  const rewritten: string[] = [];
  let holder: unknown;
  let node: unknown = document;
  for (const segment of segments) {
    const list = node;
    node = list !== null && typeof list === 'object' ? (list as Record<string, unknown>)[keyOf(segment)] : undefined;
    if (node === undefined) return undefined;
    rewritten.push(segment);
    // A branch of a tagged union's list: step into the branch as written, below its wrapper.
    if (isPlainObject(holder) && tagged.has(holder) && list === (holder.oneOf ?? holder.anyOf) && isPlainObject(node)) {
      const [original] = node.allOf as unknown[];
      rewritten.push('allOf', '0');
      node = original;
    }
    holder = list;
  }
  return rewritten;
}

/**
 * A 3.1 schema written with 3.0's boolean `exclusiveMinimum: true` beside `minimum` (OpenAI's has
 * some) means what 2020-12 writes as `exclusiveMinimum: <the minimum>`; ajv refuses the boolean form
 * outright there. Rewritten in place; `false` is dropped.
 */
function withNumericExclusiveBounds(schema: Record<string, unknown>): void {
  for (const [exclusive, bound] of [
    ['exclusiveMinimum', 'minimum'],
    ['exclusiveMaximum', 'maximum'],
  ] as const) {
    if (typeof schema[exclusive] !== 'boolean') continue;
    if (schema[exclusive] === true && typeof schema[bound] === 'number') {
      schema[exclusive] = schema[bound];
      delete schema[bound];
    } else delete schema[exclusive];
  }
}

/**
 * OpenAPI 3.0's `nullable: true` beside no `type` (common with `allOf: [$ref]`) is meant as "this, or
 * null"; ajv refuses it outright. The schema becomes `anyOf: [null, the rest]` in place. 3.1 specs
 * carry it too (OpenAI's), meant the same, and ajv's 2020-12 mode refuses it the same way.
 */
function withoutTypelessNullable(schema: Record<string, unknown>): Record<string, unknown> {
  if (!('nullable' in schema)) return schema;
  // `nullable: false` adds nothing, and ajv refuses it beside no type (or beside type null) all the same.
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  if (schema.nullable !== true && (!('type' in schema) || types.includes('null'))) delete schema.nullable;
  if (schema.nullable !== true || 'type' in schema) return schema;
  const rest: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key !== 'nullable')
      Object.defineProperty(rest, key, { value, enumerable: true, writable: true, configurable: true });
    delete schema[key];
  }
  schema.anyOf = [{ type: 'null' }, rest];
  return schema;
}
