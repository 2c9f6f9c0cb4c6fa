/** Answers straight from the spec: a named example, the first example, a schema-built static value, or random data. */
import { exampleFromSchema } from '../openapi/example.js';
import type { Operation } from '../openapi/types.js';
import { answerMedia, documentedResponse } from '../openapi/responses.js';
import { sampleFromSchema } from './dynamic-data.js';

export interface SpecAnswerOptions {
  example?: string;
  dynamic?: boolean;
  now: Date;
  /** Seed for dynamic data, so a seeded mock gives the same "random" answers. */
  seed: number;
}

export interface SpecAnswer {
  body: unknown;
  contentType: string | undefined;
  /** False when `example=` named an example the spec does not have. */
  exampleFound: boolean;
}

export function specAnswer(operation: Operation, status: number, options: SpecAnswerOptions): SpecAnswer {
  const media = answerMedia(documentedResponse(operation, status));
  if (!media) return { body: undefined, contentType: undefined, exampleFound: options.example === undefined };
  if (options.example !== undefined) {
    const named = media.examples.find((example) => example.name === options.example);
    if (named) return { body: structuredClone(named.value), contentType: media.mediaType, exampleFound: true };
    return { body: undefined, contentType: media.mediaType, exampleFound: false };
  }
  if (options.dynamic && media.schema !== undefined) {
    return { body: sampleFromSchema(media.schema, options.seed), contentType: media.mediaType, exampleFound: true };
  }
  const body =
    media.examples.length > 0
      ? structuredClone(media.examples[0].value)
      : exampleFromSchema(media.schema, { direction: 'response', now: options.now });
  return { body, contentType: media.mediaType, exampleFound: true };
}
