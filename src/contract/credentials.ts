/**
 * Where a request's credentials go, as the operation's security schemes say: an API key in its
 * header, query parameter or cookie; HTTP Basic as base64 `user:password`; bearer tokens (http
 * bearer, oauth2, openIdConnect) in `Authorization`. Of several alternatives, the first the run has
 * credentials for is used.
 */
import type { SecurityRequirement, SecurityScheme } from '../openapi/types.js';

export interface Credentials {
  /** The API key or bearer token. */
  apiKey?: string;
  /** `user:password` for HTTP Basic schemes (else the API key is sent as the user name). */
  basic?: string;
  /** Extra headers for every request (e.g. a sandbox's routing header). */
  headers?: Record<string, string>;
}

export interface PlacedCredentials {
  headers: Record<string, string>;
  query: [string, string][];
  cookies: [string, string][];
}

export function basicToken(userPassword: string): string {
  return Buffer.from(userPassword.includes(':') ? userPassword : `${userPassword}:`, 'utf8').toString('base64');
}

/** The credentials for an operation's security, placed where its schemes say. */
export function placeCredentials(
  security: readonly SecurityRequirement[],
  credentials: Credentials,
): PlacedCredentials {
  const placed: PlacedCredentials = { headers: {}, query: [], cookies: [] };
  const alternative =
    security.find((requirement) => requirement.every((scheme) => canSatisfy(scheme, credentials))) ?? security[0] ?? [];
  for (const scheme of alternative) place(scheme, credentials, placed);
  return placed;
}

function canSatisfy(scheme: SecurityScheme, credentials: Credentials): boolean {
  if (scheme.type === 'http' && scheme.scheme.toLowerCase() === 'basic')
    return credentials.basic !== undefined || credentials.apiKey !== undefined;
  if (scheme.type === 'mutualTLS') return false;
  return credentials.apiKey !== undefined;
}

function place(scheme: SecurityScheme, credentials: Credentials, placed: PlacedCredentials): void {
  if (scheme.type === 'http' && scheme.scheme.toLowerCase() === 'basic') {
    const userPassword = credentials.basic ?? credentials.apiKey;
    if (userPassword !== undefined) placed.headers.authorization = `Basic ${basicToken(userPassword)}`;
    return;
  }
  const key = credentials.apiKey;
  if (key === undefined || scheme.type === 'mutualTLS') return;
  if (scheme.type !== 'apiKey') placed.headers.authorization = `Bearer ${key}`;
  else if (scheme.in === 'header') placed.headers[scheme.name.toLowerCase()] = key;
  else if (scheme.in === 'query') placed.query.push([scheme.name, key]);
  else placed.cookies.push([scheme.name, key]);
}
