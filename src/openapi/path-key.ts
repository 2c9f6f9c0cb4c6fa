/**
 * A `paths` key. OpenAPI keys are path templates, but real specs also write fixed query parameters
 * into them to tell operations apart (`/responses?beta=true`): those are read as part of the route.
 */
export interface PathKey {
  /** The path template, `{name}` segments included. */
  template: string;
  /** Query parameters the key fixes, in order. */
  fixedQuery: [string, string][];
}

export function parsePathKey(key: string): PathKey {
  const at = key.indexOf('?');
  if (at === -1) return { template: key, fixedQuery: [] };
  return { template: key.slice(0, at), fixedQuery: [...new URLSearchParams(key.slice(at + 1))] };
}
