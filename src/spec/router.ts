/** Matches an incoming method and path against the operations of one or more specs. */
import type { HttpMethod, Operation } from './types.js';

export interface RouteMatch {
  operation: Operation;
  pathParams: Record<string, string>;
}

interface Route {
  regex: RegExp;
  names: string[];
  /** Literal characters in the template: the more, the more specific (/users/me beats /users/{id}). */
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

  route(method: string, pathname: string): RouteResult {
    const wanted = method.toLowerCase() as HttpMethod;
    let allowed: string[] | undefined;
    for (const route of this.routes) {
      const found = route.regex.exec(pathname);
      if (!found) continue;
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

function compileTemplate(template: string): Route {
  const names: string[] = [];
  let source = '';
  let specificity = 0;
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
  return { regex: new RegExp(`^${source}/?$`), names, specificity, byMethod: new Map() };
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
