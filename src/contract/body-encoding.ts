/**
 * Request bodies written in the media type the operation documents: JSON as JSON, forms as
 * `a=1&b[c]=2` (qs's bracket notation, which Stripe and Twilio read and the mock parses back),
 * multipart as text parts (objects and arrays as their JSON text, OpenAPI's default), text as is.
 */
import qs from 'qs';
import { isPlainObject } from '../openapi/json-value.js';
import { bodyEncodingOf } from '../openapi/media-type.js';

export interface EncodedBody {
  text: string;
  contentType: string;
}

/** Fixed, so the same request is the same bytes in every run and in its curl replay. */
const BOUNDARY = 'parley-form-boundary';

export function encodeBody(body: unknown, mediaType: string): EncodedBody {
  switch (bodyEncodingOf(mediaType)) {
    case 'form':
      return {
        text: qs.stringify(body, { encodeValuesOnly: false, arrayFormat: 'indices' }),
        contentType: 'application/x-www-form-urlencoded',
      };
    case 'multipart':
      return { text: multipart(body), contentType: `multipart/form-data; boundary=${BOUNDARY}` };
    case 'text':
    case 'binary':
      return { text: typeof body === 'string' ? body : JSON.stringify(body), contentType: mediaType };
    default:
      return { text: JSON.stringify(body), contentType: mediaType.includes('*') ? 'application/json' : mediaType };
  }
}

function multipart(body: unknown): string {
  const fields = isPlainObject(body) ? Object.entries(body) : [['value', body] as const];
  const parts = fields
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => {
      const text = typeof value === 'string' ? value : JSON.stringify(value);
      return `--${BOUNDARY}\r\ncontent-disposition: form-data; name="${String(name).replace(/["\r\n]/g, '_')}"\r\n\r\n${text}\r\n`;
    });
  return `${parts.join('')}--${BOUNDARY}--\r\n`;
}
