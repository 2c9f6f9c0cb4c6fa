/** Matches an incoming method and path against the operations of one or more specs. */
import { parsePathKey } from './path-key.js';
import type { HttpMethod, Operation } from './types.js';

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
}

export type RouteResult =
  | { kind: 'matched'; match: RouteMatch }
  | { kind: 'method-not-allowed'; allowed: string[] }
  | { kind: 'not-found' };

export class Router {
  private readonly routes: Route[] = [];

  constructor(operations: readonly Operation[]) {
    const byTemplate = new Map<string, Route>();
    for (const operation of operations) {
      let route = byTemplate.get(operation.path);
      if (!route) {
        route = compileTemplate(operation.path);
        byTemplate.set(operation.path, route);
        this.routes.push(route);
      }
      if (!route.byMethod.has(operation.method)) route.byMethod.set(operation.method, operation);
    }
    this.routes.sort((a, b) => b.specificity - a.specificity);
  }

  /** `query` is needed only to tell apart operations whose `paths` keys fix query parameters. */
  route(method: string, pathname: string, query?: URLSearchParams): RouteResult {
    const wanted = method.toLowerCase() as HttpMethod;
    let allowed: string[] | undefined;
    for (const route of this.routes) {
      const found = route.regex.exec(pathname);
      if (!found) continue;
      if (route.fixedQuery.length > 0 && !route.fixedQuery.every(([name, value]) => query?.getAll(name).includes(value))) continue;
      const operation = route.byMethod.get(wanted) ?? (wanted === 'head' ? route.byMethod.get('get') : undefined);
      if (operation) {
        const pathParams: Record<string, string> = {};
        route.names.forEach((name, index) => (pathParams[name] = safeDecode(found[index + 1])));
        return { kind: 'matched', match: { operation, pathParams } };
      }
      allowed ??= [...route.byMethod.keys()].map((m) => m.toUpperCase());
    }
    return allowed ? { kind: 'method-not-allowed', allowed } : { kind: 'not-found' };
  }
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
  return { regex: new RegExp(`^${source}/?$`), names, fixedQuery, specificity, byMethod: new Map() };
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
