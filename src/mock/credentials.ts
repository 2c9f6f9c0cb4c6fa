/** Finds the caller's credential for an operation's security, which also names the caller's tenant. */
import type { IncomingHttpHeaders } from 'node:http';
import type { Operation, SecurityScheme } from '../spec/types.js';

export type CredentialResult =
  | { kind: 'anonymous' }
  | { kind: 'ok'; credential: string }
  | { kind: 'missing'; expected: string }
  | { kind: 'rejected'; expected: string };

export const ANONYMOUS_TENANT = 'anonymous';

/** "Bearer abc" and "abc" are the same key: one key is one tenant across all APIs. A bare "Bearer" is no key. */
export function normalizeCredential(value: string): string {
  return value.trim().replace(/^(bearer|token|apikey)(\s+|$)/i, '').trim();
}

function cookieValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  for (const pair of (headers.cookie ?? '').split(';')) {
    const [key, ...rest] = pair.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return undefined;
}

function credentialFor(scheme: SecurityScheme, headers: IncomingHttpHeaders, query: URLSearchParams): string | undefined {
  let value: string | undefined;
  if (scheme.type === 'apiKey') {
    if (scheme.in === 'header') {
      const header = headers[scheme.name.toLowerCase()];
      value = Array.isArray(header) ? header[0] : header;
    } else if (scheme.in === 'query') value = query.get(scheme.name) ?? undefined;
    else value = cookieValue(headers, scheme.name);
  } else if (scheme.type === 'http') {
    const authorization = headers.authorization ?? '';
    const prefix = `${scheme.scheme.toLowerCase()} `;
    if (authorization.toLowerCase().startsWith(prefix)) value = authorization.slice(prefix.length);
  } else {
    // OAuth2 / OpenID Connect: a bearer token stands in for the flow.
    const authorization = headers.authorization ?? '';
    if (/^bearer /i.test(authorization)) value = authorization.slice(7);
  }
  value = value && normalizeCredential(value);
  return value ? value : undefined;
}

export function describeScheme(scheme: SecurityScheme): string {
  if (scheme.type === 'apiKey') return `an API key in the ${scheme.name} ${scheme.in === 'header' ? 'header' : scheme.in + ' parameter'}`;
  if (scheme.type === 'http') return `${scheme.scheme} credentials in the Authorization header`;
  return 'a bearer token in the Authorization header';
}

/**
 * Checks the operation's security alternatives in order; the first fully satisfied one wins.
 * With `allowedKeys`, a credential outside the list is rejected.
 */
export function authenticate(
  operation: Operation,
  headers: IncomingHttpHeaders,
  query: URLSearchParams,
  allowedKeys: ReadonlySet<string> | undefined,
): CredentialResult {
  if (operation.security.length === 0) return { kind: 'anonymous' };
  for (const alternative of operation.security) {
    const credentials = alternative.map((scheme) => credentialFor(scheme, headers, query));
    if (credentials.some((c) => c === undefined)) continue;
    const credential = credentials.length === 1 ? credentials[0]! : credentials.join('+');
    if (allowedKeys && !credentials.every((c) => allowedKeys.has(c!))) return { kind: 'rejected', expected: describeSecurity(operation) };
    return { kind: 'ok', credential };
  }
  return { kind: 'missing', expected: describeSecurity(operation) };
}

function describeSecurity(operation: Operation): string {
  return operation.security.map((alternative) => alternative.map(describeScheme).join(' and ')).join(', or ');
}

/** The tenant an admin call acts for: whatever credential it carries in a header the specs use. */
export function tenantFromHeaders(headers: IncomingHttpHeaders, headerNames: Iterable<string>): string {
  for (const name of headerNames) {
    const value = headers[name.toLowerCase()];
    const text = Array.isArray(value) ? value[0] : value;
    if (text && normalizeCredential(text)) return normalizeCredential(text);
  }
  return ANONYMOUS_TENANT;
}
