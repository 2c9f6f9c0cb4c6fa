/** JSON pointers into an OpenAPI document, following internal $refs on the way. */

export function escapeSegment(segment: string | number): string {
  return String(segment).replace(/~/g, '~0').replace(/\//g, '~1');
}

export function unescapeSegment(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

function segmentsOf(pointer: string): string[] {
  return pointer === '' ? [] : pointer.slice(1).split('/').map(unescapeSegment);
}

function refTarget(node: unknown): string | undefined {
  if (node && typeof node === 'object' && typeof (node as { $ref?: unknown }).$ref === 'string') {
    const ref = (node as { $ref: string }).$ref;
    if (ref.startsWith('#')) return decodeURIComponent(ref.slice(1));
  }
  return undefined;
}

/**
 * Walks `segments` from the document root and returns the canonical pointer of the node reached,
 * jumping through any internal `$ref` met on the way (a requestBody or response given by reference).
 * The final node itself is not dereferenced: validators resolve schema refs on their own.
 */
export function locate(document: unknown, segments: readonly (string | number)[]): string | undefined {
  let pointer = '';
  let node: unknown = document;
  for (const segment of segments) {
    for (let hops = 0; refTarget(node) !== undefined; hops++) {
      if (hops > 32) return undefined;
      pointer = refTarget(node)!;
      node = resolvePointer(document, pointer);
    }
    if (!node || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[segment as string];
    if (node === undefined) return undefined;
    pointer += `/${escapeSegment(segment)}`;
  }
  return pointer;
}

export function resolvePointer(document: unknown, pointer: string): unknown {
  return valueAtPath(document, segmentsOf(pointer));
}

/** The value at a path of keys and indexes inside a JSON value, or undefined where the path leads nowhere. */
export function valueAtPath(root: unknown, path: readonly (string | number)[]): unknown {
  let node = root;
  for (const segment of path) {
    if (!node || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[segment as string];
  }
  return node;
}
