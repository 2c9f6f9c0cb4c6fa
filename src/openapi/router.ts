/** Matches an incoming method and path against the operations of one or more specs. */
import { parsePathKey } from './path-key.js';
import type { HttpMethod, Operation, Spec } from './types.js';

export interface RouteMatch {
  operation: Operation;
  pathParams: Record<string, string>;
}

interface Route {
  regex: RegExp;
  names: string[];
  /** Query parameters the `paths` key fixes (`/responses?beta=true`). */
  fixedQuery: [string, string][];
  /** Literal characters in the key: the more, the more specific (/users/me beats /users/{id}). */
  specificity: number;
  byMethod: Map<HttpMethod, Operation>;
  /** The path itself, for a key with no parameters and no fixed query. */
  literal: string | undefined;
}

export type RouteResult =
  | { kind: 'matched'; match: RouteMatch }
  | { kind: 'method-not-allowed'; allowed: string[] }
  | { kind: 'not-found' };

export class Router {
  private readonly routes: Route[] = [];
  /**
   * Routes of keys with no parameters, by their path. For the exact path such a route is the most
   * specific match (every parameter takes at least one character, so a route with parameters that
   * matches it has fewer literal characters), so a request to it is routed with one look-up instead of
   * a regular expression per route. Left out where a key with a fixed query matches the same path.
   */
  private readonly literals = new Map<string, Route>();

  constructor(operations: readonly Operation[]) {
    const byTemplate = new Map<string, Route>();
    for (const operation of operations) {
      // Each operation answers at its path and under each base path its spec's servers name (Julep's /api).
      for (const key of [operation.path, ...basePathsOf(operation.spec).map((base) => base + operation.path)]) {
        let route = byTemplate.get(key);
        if (!route) {
          route = compileTemplate(key);
          byTemplate.set(key, route);
          this.routes.push(route);
        }
        if (!route.byMethod.has(operation.method)) route.byMethod.set(operation.method, operation);
      }
    }
    this.routes.sort((a, b) => b.specificity - a.specificity);
    const withQuery = this.routes.filter((route) => route.fixedQuery.length > 0);
    for (const route of this.routes) {
      const path = route.literal;
      if (path !== undefined && !withQuery.some((other) => other.regex.test(path))) this.literals.set(path, route);
    }
  }

  /** `query` is needed only to tell apart operations whose `paths` keys fix query parameters. */
  route(method: string, pathname: string, query?: URLSearchParams): RouteResult {
    const wanted = method.toLowerCase() as HttpMethod;
    const literal = this.literals.get(pathname);
    // Without the method, the other routes matching the path decide (another operation, or the 405's list).
    const direct = literal && operationFor(literal, wanted);
    if (direct) return { kind: 'matched', match: { operation: direct, pathParams: {} } };
    // Every route matching the path serves the resource: a 405 lists the methods of them all.
    let allowed: Set<string> | undefined;
    for (const route of this.routes) {
      const found = route.regex.exec(pathname);
      if (!found) continue;
      if (
        route.fixedQuery.length > 0 &&
        !route.fixedQuery.every(([name, value]) => query?.getAll(name).includes(value))
      )
        continue;
      const operation = operationFor(route, wanted);
      if (operation) {
        const pathParams: Record<string, string> = {};
        for (const [index, name] of route.names.entries()) pathParams[name] = safeDecode(found[index + 1]);
        return { kind: 'matched', match: { operation, pathParams } };
      }
      allowed ??= new Set();
      for (const known of route.byMethod.keys()) allowed.add(known.toUpperCase());
    }
    return allowed ? { kind: 'method-not-allowed', allowed: [...allowed] } : { kind: 'not-found' };
  }
}

/** The route's operation for a method; HEAD is answered by GET where no HEAD is documented. */
function operationFor(route: Route, method: HttpMethod): Operation | undefined {
  return route.byMethod.get(method) ?? (method === 'head' ? route.byMethod.get('get') : undefined);
}

const basePaths = new WeakMap<Spec, string[]>();

/** The path parts of a spec's `servers` URLs (`https://api.example.com/v1` → `/v1`), variables at their defaults. */
export function basePathsOf(spec: Spec): string[] {
  let found = basePaths.get(spec);
  if (!found) {
    const servers: unknown[] = Array.isArray(spec.dereferenced.servers) ? spec.dereferenced.servers : [];
    const paths = servers.flatMap((server) => {
      if (!server || typeof server !== 'object' || typeof (server as { url?: unknown }).url !== 'string') return [];
      const { url, variables } = server as { url: string; variables?: Record<string, { default?: unknown }> };
      const concrete = url.replace(/\{([^}]+)\}/g, (_, name: string) => String(variables?.[name]?.default ?? ''));
      try {
        const pathname = decodeURI(new URL(concrete, 'http://server.invalid').pathname).replace(/\/+$/, '');
        return pathname && !pathname.includes('{') ? [pathname] : [];
      } catch {
        return [];
      }
    });
    basePaths.set(spec, (found = [...new Set(paths)]));
  }
  return found;
}

function compileTemplate(key: string): Route {
  const { template, fixedQuery } = parsePathKey(key);
  const names: string[] = [];
  let source = '';
  let specificity = key.length - template.length;
  for (const part of template.split(/(\{[^}]+\})/)) {
    const param = /^\{([^}]+)\}$/.exec(part);
    if (param) {
      names.push(param[1]);
      source += '([^/]+)';
    } else {
      source += part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      specificity += part.length;
    }
  }
  return {
    regex: new RegExp(`^${source}/?$`),
    names,
    fixedQuery,
    specificity,
    byMethod: new Map(),
    literal: names.length === 0 && fixedQuery.length === 0 ? template : undefined,
  };
}

function safeDecode(value: string): string {
  // Most path segments carry no escapes at all; decodeURIComponent costs a visible share of a request.
  if (!value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
