/**
 * The request body as the operation's behaviour receives it, or the client error it amounts to.
 * The body is read as the documented media type the request's Content-Type names: JSON parsed,
 * forms (`a=1&b[c]=2`, as Stripe and Twilio send them) and multipart parts turned into an object
 * whose strings are read back as the schema's types, text kept as a string, anything else accepted
 * as it is. A Content-Type the operation does not document is refused with the ones it does.
 */
import { bodyEncodingOf, isJsonType, mediaTypeMatches, mediaTypeOf } from '../openapi/media-type.js';
import type { MediaType } from '../openapi/types.js';
import { apiError, type ApiError } from './api-error.js';
import { coerceToSchema, readFormBody } from '../openapi/form-coercion.js';
import { parseJsonBody } from './json-body.js';
import type { OperationPlan } from './operation-plan.js';
import type { BodyResult } from './request-body.js';

export type DecodedBody =
  | { present: false }
  | { present: true; value: unknown; schemaPointer: string | undefined }
  | { error: ApiError };

export function decodeRequestBody(plan: OperationPlan, contentType: string | undefined, body: BodyResult): DecodedBody {
  const { operation, statuses } = plan;
  const declared = operation.requestBody;
  if (body.kind === 'invalid-utf8') {
    return {
      error: apiError(statuses.validation, 'INVALID_ENCODING', 'The request body is not valid UTF-8', [
        { type: 'json_invalid', loc: ['body'], msg: 'Invalid UTF-8 in request body' },
      ]),
    };
  }
  if (body.kind === 'empty') {
    if (declared?.required) {
      return {
        error: apiError(statuses.validation, 'VALIDATION_ERROR', 'A request body is required', [
          { type: 'missing', loc: ['body'], msg: 'Field required', input: null },
        ]),
      };
    }
    return { present: false };
  }
  if (!declared || (body.kind !== 'ok' && body.kind !== 'multipart' && body.kind !== 'malformed-multipart'))
    return { present: false };
  const media = documentedMedia(declared.content, contentType);
  if (!media) {
    const accepted = plan.acceptedMediaTypes;
    return {
      error: apiError(
        statuses.mediaType,
        'UNSUPPORTED_MEDIA_TYPE',
        `Content-Type ${contentType ?? '(none)'} is not one this operation takes; send ${accepted}`,
        [{ type: 'model_attributes_type', loc: ['body'], msg: `Input should be sent as ${accepted}` }],
      ),
    };
  }
  if (body.kind === 'malformed-multipart') {
    return {
      error: apiError(statuses.validation, 'INVALID_MULTIPART', body.message, [
        { type: 'value_error', loc: ['body'], msg: body.message },
      ]),
    };
  }
  const encoding = bodyEncodingOf(media.mediaType);
  if (body.kind === 'multipart') {
    if (encoding !== 'multipart') return { present: true, value: undefined, schemaPointer: undefined };
    return {
      present: true,
      value: coerceToSchema(partsToObject(body.parts), media.schema, 'multipart'),
      schemaPointer: media.schemaPointer,
    };
  }
  switch (encoding) {
    case 'json':
      return decodeJson(plan, body.text, media);
    case 'form':
      return {
        present: true,
        value: readFormBody(body.text, media.schema),
        schemaPointer: media.schemaPointer,
      };
    case 'text':
      return { present: true, value: body.text, schemaPointer: media.schemaPointer };
    default:
      // Bytes parley does not read (images, octet streams): accepted as they are.
      return { present: true, value: undefined, schemaPointer: undefined };
  }
}

/** Per operation, the answer for the Content-Types clients send (a few, sent over and over), up to a bound. */
const chosen = new WeakMap<MediaType[], Map<string, MediaType | null>>();
const CHOSEN_PER_OPERATION = 32;

/** The documented media type that covers the request's Content-Type; any JSON type reads as a documented JSON one. */
function documentedMedia(content: MediaType[], contentType: string | undefined): MediaType | undefined {
  if (contentType === undefined) return undefined;
  let known = chosen.get(content);
  if (!known) chosen.set(content, (known = new Map()));
  const found = known.get(contentType);
  if (found !== undefined) return found ?? undefined;
  const media = matchMedia(content, contentType);
  if (known.size < CHOSEN_PER_OPERATION) known.set(contentType, media ?? null);
  return media;
}

function matchMedia(content: MediaType[], contentType: string): MediaType | undefined {
  const actual = mediaTypeOf(contentType);
  if (!actual) return undefined;
  return (
    content.find((media) => mediaTypeMatches(media.mediaType, actual)) ??
    (isJsonType(actual) ? content.find((media) => isJsonType(media.mediaType)) : undefined)
  );
}

function decodeJson(plan: OperationPlan, text: string, media: MediaType): DecodedBody {
  const { statuses } = plan;
  const parsed = parseJsonBody(text);
  if (parsed.ok) return { present: true, value: parsed.value, schemaPointer: media.schemaPointer };
  if (parsed.problem === 'out-of-range') {
    return {
      error: apiError(statuses.validation, 'VALIDATION_ERROR', parsed.message, [
        { type: 'finite_number', loc: ['body', ...parsed.path], msg: 'Input should be a finite number' },
      ]),
    };
  }
  if (parsed.problem === 'too-deep') {
    return {
      error: apiError(statuses.validation, 'NESTING_TOO_DEEP', parsed.message, [
        { type: 'json_invalid', loc: ['body'], msg: parsed.message },
      ]),
    };
  }
  return {
    error: apiError(statuses.validation, 'INVALID_JSON', parsed.message, [
      {
        type: 'json_invalid',
        loc: ['body', parsed.position],
        msg: 'JSON decode error',
        input: {},
        ctx: { error: parsed.reason },
      },
    ]),
  };
}

/** Multipart parts as one object: a repeated name is a list; a file part stands as its file name. */
function partsToObject(parts: [string, string | { filename: string }][]): Record<string, unknown> {
  const object: Record<string, unknown> = Object.create(null);
  for (const [name, part] of parts) {
    const value = typeof part === 'string' ? part : part.filename;
    const existing = Object.hasOwn(object, name) ? object[name] : undefined;
    object[name] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return object;
}
