/**
 * Keeps the mock's answers within their documented schema. A record that echoes what a client sent
 * can hold values the request schema admits and the answer schema refuses (a wider bound, an enum
 * value or a type the answer lacks), a record stored by one operation can lack what another's
 * answer requires, and a spec's own example can break its schema: the mock answers none of them
 * as is, since a client (and `parley test`) rightly holds it to the answer schema.
 */
import { isPlainObject } from '../openapi/json-value.js';
import { answerMedia, documentedResponse } from '../openapi/responses.js';
import type { JsonSchema, Operation } from '../openapi/types.js';
import type { SpecValidator } from '../openapi/validator.js';

type Path = readonly (string | number)[];

/** Rounds of replacing refused values: a replacement can itself be refused (a generated value against a `not`). */
const MAX_ROUNDS = 3;

/**
 * `body` made one the schema of the answer to `status` admits: each value it refuses takes the
 * value a schema-built answer has at the same place (array items read from the built array's
 * first), each of `builders` in turn, or goes when no built answer has one. A body still refused
 * gives way to the first built answer that fits. Bodies with no documented JSON schema, and bodies
 * that fit, are returned as they are (never modified in place).
 */
export function fitToAnswerSchema(
  operation: Operation,
  status: number,
  body: unknown,
  validator: SpecValidator,
  builders: readonly ((schema: JsonSchema) => unknown)[],
): unknown {
  const media = answerMedia(documentedResponse(operation, status));
  if (body === undefined || !media?.schemaPointer || media.schema === undefined || !/json/i.test(media.mediaType))
    return body;
  const { schemaPointer, schema } = media;
  const refusedPaths = (value: unknown): Path[] =>
    validator.validate(schemaPointer, value, 'response').map((issue) => issue.path);
  let refused = refusedPaths(body);
  if (refused.length === 0) return body;
  const built: unknown[] = [];
  const builtAnswer = (index: number) => {
    while (built.length <= index) built.push(builders[built.length](schema));
    return built[index];
  };
  let fitted: unknown = structuredClone(body);
  for (let round = 0; round < Math.min(MAX_ROUNDS, builders.length); round++) {
    if (refused.some((path) => path.length === 0)) break;
    const replacement = builtAnswer(round);
    for (const path of refused) fitted = replaceAt(fitted, path, replacement);
    refused = refusedPaths(fitted);
    if (refused.length === 0) return fitted;
  }
  for (let index = 0; index < builders.length; index++) {
    if (validator.accepts(schemaPointer, builtAnswer(index), 'response')) return built[index];
  }
  return body;
}

/** The child of a JSON value by an issue path segment (numbers index arrays; objects are read by own keys only). */
function child(value: unknown, segment: string | number): unknown {
  if (Array.isArray(value)) return typeof segment === 'number' ? value[segment] : undefined;
  return isPlainObject(value) && Object.hasOwn(value, String(segment)) ? value[String(segment)] : undefined;
}

/** The value a built answer holds at `path`, reading any array at its first item. */
function builtValueAt(built: unknown, path: Path): unknown {
  let node = built;
  for (const segment of path) node = child(node, Array.isArray(node) ? 0 : segment);
  return node;
}

/** `value` with the node at `path` set to the built answer's value there, or removed when that has none. */
function replaceAt(value: unknown, path: Path, built: unknown): unknown {
  if (path.length === 0) return value;
  const parent = path.slice(0, -1).reduce<unknown>(child, value);
  const last = path[path.length - 1];
  const replacement = builtValueAt(built, path);
  if (isPlainObject(parent)) {
    const key = String(last);
    if (key === '__proto__') return value;
    if (replacement !== undefined) parent[key] = structuredClone(replacement);
    else delete parent[key];
  } else if (Array.isArray(parent) && typeof last === 'number' && replacement !== undefined) {
    parent[last] = structuredClone(replacement);
  }
  return value;
}
