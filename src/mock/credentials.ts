/** Finds the caller's credential for an operation's security, which also names the caller's tenant. */
import type { IncomingHttpHeaders } from 'node:http';
import { describeSecurity } from '../openapi/security.js';
import { cookieValue } from './cookies.js';
import type { Operation, SecurityScheme, Spec } from '../openapi/types.js';

export type CredentialResult =
  | { kind: 'anonymous' }
  | { kind: 'ok'; credential: string }
  | { kind: 'missing'; expected: string }
  | { kind: 'rejected'; expected: string };

export const ANONYMOUS_TENANT = 'anonymous';

const SCHEME_PREFIX = /^(bearer|token|apikey)(\s+|$)/i;

/** "Bearer abc" and "abc" are the same key: one key is one tenant across all APIs. A bare "Bearer" is no key. */
export function normalizeCredential(value: string): string {
  const trimmed = value.trim();
  return SCHEME_PREFIX.test(trimmed) ? trimmed.replace(SCHEME_PREFIX, '').trim() : trimmed;
}

function isBasicToken(token: string): boolean {
  return (
    /^[A-Za-z0-9+/]+={0,2}$/.test(token) &&
    token.length % 4 === 0 &&
    Buffer.from(token, 'base64').toString('utf8').includes(':')
  );
}

/** Reads one scheme's credential from a request: undefined when it is absent or empty. */
type CredentialReader = (headers: IncomingHttpHeaders, query: URLSearchParams) => string | undefined;

const normalized = (value: string | undefined): string | undefined =>
  value ? normalizeCredential(value) || undefined : undefined;

function credentialReader(scheme: SecurityScheme): CredentialReader {
  if (scheme.type === 'apiKey') {
    const { name } = scheme;
    if (scheme.in === 'header') {
      const header = name.toLowerCase();
      return (headers) => {
        const value = headers[header];
        return normalized(Array.isArray(value) ? value[0] : value);
      };
    }
    if (scheme.in === 'query') return (_headers, query) => normalized(query.get(name) ?? undefined);
    return (headers) => normalized(cookieValue(headers, name));
  }
  // HTTP schemes need their own scheme word; OAuth2 / OpenID Connect take a bearer token in place of the flow.
  const prefix = `${scheme.type === 'http' ? scheme.scheme.toLowerCase() : 'bearer'} `;
  const basic = prefix === 'basic ';
  return (headers) => {
    const authorization = headers.authorization ?? '';
    if (authorization.slice(0, prefix.length).toLowerCase() !== prefix) return undefined;
    const token = normalized(authorization.slice(prefix.length));
    // Basic credentials are base64 of user:password (RFC 7617); anything else is no credential at all.
    return basic && token !== undefined && !isBasicToken(token) ? undefined : token;
  };
}

/**
 * The names a configured key list may give a credential: the credential itself and, for a Basic
 * token, its decoded `user:password`, or the user name alone when the password is empty (how
 * `parley test` sends an API key to a Basic scheme without `--basic`).
 */
function keyNames(scheme: SecurityScheme, credential: string): string[] {
  if (scheme.type !== 'http' || scheme.scheme.toLowerCase() !== 'basic') return [credential];
  const userPassword = Buffer.from(credential, 'base64').toString('utf8');
  return userPassword.endsWith(':')
    ? [credential, userPassword, userPassword.slice(0, -1)]
    : [credential, userPassword];
}

export type Authenticator = (headers: IncomingHttpHeaders, query: URLSearchParams) => CredentialResult;

const ANONYMOUS: CredentialResult = { kind: 'anonymous' };

/**
 * Builds, once per operation, the check of its security alternatives in order: the first fully
 * satisfied one wins. With `allowedKeys`, a credential outside the list is rejected.
 */
export function authenticatorFor(operation: Operation, allowedKeys: ReadonlySet<string> | undefined): Authenticator {
  if (operation.security.length === 0) return () => ANONYMOUS;
  const expected = describeSecurity(operation);
  const missing: CredentialResult = { kind: 'missing', expected };
  const rejected: CredentialResult = { kind: 'rejected', expected };
  const alternatives = operation.security.map((alternative) =>
    alternative.map((scheme) => ({ scheme, read: credentialReader(scheme) })),
  );
  const allowed = (scheme: SecurityScheme, credential: string) =>
    !allowedKeys || keyNames(scheme, credential).some((name) => allowedKeys.has(name));
  if (alternatives.length === 1 && alternatives[0].length === 1) {
    // One scheme, as most APIs have: the same check without the lists built per request.
    const [{ scheme, read }] = alternatives[0];
    return (headers, query) => {
      const credential = read(headers, query);
      if (credential === undefined) return missing;
      return allowed(scheme, credential) ? { kind: 'ok', credential } : rejected;
    };
  }
  return (headers, query) => {
    for (const readers of alternatives) {
      const credentials = readers.map(({ read }) => read(headers, query));
      if (credentials.some((c) => c === undefined)) continue;
      if (!readers.every(({ scheme }, i) => allowed(scheme, credentials[i]!))) return rejected;
      return { kind: 'ok', credential: credentials.join('+') };
    }
    return missing;
  };
}

/** Header names that carry credentials in any of the specs, lowercased: where admin calls find their tenant. */
export function credentialHeaderNames(specs: readonly Spec[]): string[] {
  const names = new Set<string>();
  for (const scheme of specs.flatMap((spec) => spec.operations.flatMap((op) => op.security.flat()))) {
    if (scheme.type === 'apiKey' && scheme.in === 'header') names.add(scheme.name.toLowerCase());
    else names.add('authorization');
  }
  return [...names];
}

/** The tenant an admin call acts for: whatever credential it carries in one of `headerNames` (lowercased). */
export function tenantFromHeaders(headers: IncomingHttpHeaders, headerNames: Iterable<string>): string {
  for (const name of headerNames) {
    const value = headers[name];
    const credential = normalized(Array.isArray(value) ? value[0] : value);
    if (credential) return credential;
  }
  return ANONYMOUS_TENANT;
}
