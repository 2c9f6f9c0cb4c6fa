/**
 * Who may call the admin endpoints. The mock usually runs on a developer's machine while they browse
 * the web, so a page they open must not be able to reset or read it:
 * - the Host must name loopback or an `--allowed-host` (a DNS-rebinding page names its own domain);
 * - an Origin, when a browser sends one, must be such a host too (a cross-site form or fetch);
 * - POSTs must be JSON (a browser sends `text/plain` cross-site without a preflight);
 * - with `--api-key`, only those keys (or the admin token) reach the admin endpoints, health aside.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { isIP } from 'node:net';
import { isJsonType } from '../openapi/media-type.js';

export interface AdminGuardSettings {
  /** Host names besides loopback that may call admin endpoints (lowercase, no port). */
  allowedHosts: ReadonlySet<string>;
  /** Keys the mock accepts; when set, other keys and no key are refused. */
  apiKeys: ReadonlySet<string> | undefined;
  /** `--cors-admin`: pages from any origin may call admin endpoints (the Host is still checked). */
  corsAdmin: boolean;
}

export type AdminRefusal = { status: number; code: string; message: string };

/** The host name of a Host header or an Origin URL, lowercased, without port or IPv6 brackets. */
function hostName(value: string): string | undefined {
  try {
    return new URL(value.includes('://') ? value : `http://${value}`).hostname
      .toLowerCase()
      .replace(/^\[(.*)\]$/, '$1');
  } catch {
    return undefined;
  }
}

export function isLoopbackHost(name: string): boolean {
  if (name === 'localhost' || name.endsWith('.localhost') || name === '::1') return true;
  return isIP(name) === 4 && name.startsWith('127.');
}

function isAllowedHost(name: string | undefined, settings: AdminGuardSettings): boolean {
  return name !== undefined && (isLoopbackHost(name) || settings.allowedHosts.has(name));
}

/** Why this admin call is refused, or undefined when it may go ahead (the admin token is checked by the caller). */
export function refuseAdminCall(
  request: { method?: string; headers: IncomingHttpHeaders },
  settings: AdminGuardSettings,
  caller: { admin: boolean; tenant: string; keyless: boolean },
): AdminRefusal | undefined {
  const host = request.headers.host;
  if (host !== undefined && !isAllowedHost(hostName(host), settings)) {
    return {
      status: 403,
      code: 'host_not_allowed',
      message: `Admin calls are answered for loopback hosts only; start the mock with --allowed-host ${hostName(host) ?? '<name>'} to allow Host ${host}`,
    };
  }
  const origin = request.headers.origin;
  if (
    origin !== undefined &&
    !settings.corsAdmin &&
    !isAllowedHost(origin === 'null' ? undefined : hostName(origin), settings)
  ) {
    return {
      status: 403,
      code: 'origin_not_allowed',
      message: `Admin calls are not answered for pages from ${origin}; allow its host with --allowed-host`,
    };
  }
  if (request.method === 'OPTIONS') {
    return {
      status: 403,
      code: 'cors_disabled',
      message: 'Admin endpoints answer no cross-origin calls; start the mock with --cors-admin to allow them',
    };
  }
  if (request.method === 'POST' && !isJsonType(request.headers['content-type'] ?? '')) {
    return { status: 415, code: 'unsupported_media_type', message: 'Admin POSTs need Content-Type: application/json' };
  }
  if (settings.apiKeys && !caller.admin && !caller.keyless && !settings.apiKeys.has(caller.tenant)) {
    return {
      status: 401,
      code: 'invalid_api_key',
      message: 'Admin calls need a key the mock accepts (--api-key) or the admin token',
    };
  }
  return undefined;
}
