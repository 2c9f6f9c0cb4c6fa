/**
 * Keeps the mock's answers within their documented schema. A record that echoes what a client sent
 * can hold values the request schema admits and the answer schema refuses (a wider bound, an enum
 * value or a type the answer lacks), a record stored by one operation can lack what another's
 * answer requires, and a spec's own example can break its schema: the mock answers none of them
 * as is, since a client (and `parley test`) rightly holds it to the answer schema.
 */
import { isDeepStrictEqual } from 'node:util';
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
 * gives way to the built answer that fits with the most of the body's own values put back. Bodies
 * with no documented JSON schema, and bodies that fit, are returned as they are (never modified in
 * place).
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
  const accepts = (value: unknown) => validator.accepts(schemaPointer, value, 'response');
  let best: { answer: unknown; kept: number } | undefined;
  for (let index = 0; index < builders.length; index++) {
    const answer = builtAnswer(index);
    if (!accepts(answer)) continue;
    const candidate = withBodyValues(answer, body, accepts);
    if (best === undefined || candidate.kept > best.kept) best = candidate;
    if (best.kept === Number.POSITIVE_INFINITY) break;
  }
  return best === undefined ? body : best.answer;
}

/**
 * A built answer that fits, given back each of `body`'s own top-level values the schema still
 * admits there (a client's `metadata: {}` stays `{}` when the body as a whole could not be made to
 * fit, say because the value it sent picks a `oneOf` branch the rest of the body lacks). `kept`
 * counts the values given back, and is infinite when every one was.
 */
function withBodyValues(
  answer: unknown,
  body: unknown,
  accepts: (value: unknown) => boolean,
): { answer: unknown; kept: number } {
  if (!isPlainObject(answer) || !isPlainObject(body)) return { answer, kept: 0 };
  let fitted: Record<string, unknown> = answer;
  let kept = 0;
  let left = Object.keys(body).filter((key) => key !== '__proto__');
  // A value can fit only once another is back (a tag and its branch's field): repeat while any is kept.
  for (let progress = true; progress && left.length > 0; ) {
    progress = false;
    left = left.filter((key) => {
      if (Object.hasOwn(fitted, key) && isDeepStrictEqual(fitted[key], body[key])) return false;
      const trial = { ...fitted, [key]: structuredClone(body[key]) };
      if (!accepts(trial)) return true;
      fitted = trial;
      kept++;
      progress = true;
      return false;
    });
  }
  return { answer: fitted, kept: left.length === 0 ? Number.POSITIVE_INFINITY : kept };
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
