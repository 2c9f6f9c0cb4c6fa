/**
 * Session isolation: `x-parley-session: <name>` (or `?parley_session=<name>`) gives a caller a state
 * of its own under the same key, so parallel CI jobs and developers sharing one mock never see each
 * other's records. The session becomes part of the tenant name: `<key>#<session>`.
 */
import type { IncomingHttpHeaders } from 'node:http';

export const SESSION_HEADER = 'x-parley-session';
export const SESSION_QUERY = 'parley_session';
export const MAX_SESSION_LENGTH = 64;

/** Letters, digits and `._~-`: safe in a tenant name, a URL and a log line. */
const SESSION_NAME = /^[A-Za-z0-9._~-]{1,64}$/;

export type SessionResult = { kind: 'none' } | { kind: 'ok'; session: string } | { kind: 'invalid'; message: string };

const NONE: SessionResult = { kind: 'none' };

/** The session a request names in its header (first) or query; invalid names are refused, never trimmed. */
export function sessionOf(headers: IncomingHttpHeaders, query: URLSearchParams): SessionResult {
  const header = headers[SESSION_HEADER];
  const value =
    (Array.isArray(header) ? header[0] : header) ??
    (query.size > 0 ? (query.get(SESSION_QUERY) ?? undefined) : undefined);
  if (value === undefined) return NONE;
  if (SESSION_NAME.test(value)) return { kind: 'ok', session: value };
  return {
    kind: 'invalid',
    message: `The ${SESSION_HEADER} header (or ${SESSION_QUERY} parameter) must be 1 to ${MAX_SESSION_LENGTH} letters, digits or ._~-`,
  };
}

/** The tenant that holds a session's state: the caller's own, suffixed with the session name. */
export function sessionTenant(tenant: string, session: SessionResult): string {
  return session.kind === 'ok' ? `${tenant}#${session.session}` : tenant;
}
