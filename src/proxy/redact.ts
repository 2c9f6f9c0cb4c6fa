/** Credentials never reach a report: the values of headers and query parameters that carry them are replaced. */
import { credentialHeaderNames } from '../mock/credentials.js';
import type { Spec } from '../openapi/types.js';

export const REDACTED = '[redacted]';

/** Headers that carry credentials whatever the spec says. */
const ALWAYS_SECRET_HEADERS = [
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'api-key',
  'x-auth-token',
];

export interface SecretNames {
  headers: Set<string>;
  query: Set<string>;
}

/** The header and query names the specs' apiKey schemes name, and the usual credential headers. */
export function secretNames(specs: readonly Spec[]): SecretNames {
  const headers = new Set([...ALWAYS_SECRET_HEADERS, ...credentialHeaderNames(specs)]);
  const query = new Set<string>();
  for (const scheme of specs.flatMap((spec) => spec.operations.flatMap((op) => op.security.flat()))) {
    if (scheme.type === 'apiKey' && scheme.in === 'query') query.add(scheme.name);
  }
  return { headers, query };
}

export function redactHeaders(headers: Record<string, string>, names: SecretNames): Record<string, string> {
  const redacted: Record<string, string> = Object.create(null);
  for (const [name, value] of Object.entries(headers))
    redacted[name] = names.headers.has(name.toLowerCase()) ? REDACTED : value;
  return redacted;
}

/** A path with its query, secret parameters replaced. */
export function redactUrl(pathAndQuery: string, names: SecretNames): string {
  const at = pathAndQuery.indexOf('?');
  if (at < 0 || names.query.size === 0) return pathAndQuery;
  const query = new URLSearchParams(pathAndQuery.slice(at + 1));
  let changed = false;
  for (const name of names.query) {
    if (!query.has(name)) continue;
    query.set(name, REDACTED);
    changed = true;
  }
  return changed ? `${pathAndQuery.slice(0, at)}?${query.toString()}` : pathAndQuery;
}
