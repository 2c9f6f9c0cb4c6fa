/**
 * JSON for object graphs: a dereferenced spec shares one object wherever a `$ref` named it and is
 * cyclic where schemas recurse, which plain JSON can neither keep nor even write. Every object and
 * array becomes one row of a table; a child object is written as `[row]` (a one-element array, which
 * no primitive can be, so no key or value of the spec can be mistaken for a link). Decoding builds
 * the same graph: same sharing, same cycles, keys as own data properties (even `__proto__`).
 */

type Row = ['o', ...unknown[]] | ['a', ...unknown[]];

export interface EncodedGraph {
  rows: Row[];
  /** The rows of the roots, in the order given. */
  roots: number[];
}

export function encodeGraph(roots: readonly unknown[]): EncodedGraph {
  const rowOf = new Map<object, number>();
  const rows: Row[] = [];
  const pending: [object, Row][] = [];
  const link = (value: unknown): unknown => {
    if (value === null || typeof value !== 'object') return value;
    let row = rowOf.get(value);
    if (row === undefined) {
      row = rows.length;
      rowOf.set(value, row);
      const entry: Row = Array.isArray(value) ? ['a'] : ['o'];
      rows.push(entry);
      pending.push([value, entry]);
    }
    return [row];
  };
  const rootRows = roots.map((root) => (link(root) as [number] | undefined)?.[0] ?? -1);
  // Breadth-first with an explicit queue: deep schemas must not overflow the stack.
  for (let next = 0; next < pending.length; next++) {
    const [value, entry] = pending[next]!;
    if (Array.isArray(value)) for (const item of value) entry.push(link(item));
    else for (const [key, item] of Object.entries(value)) entry.push(key, link(item));
  }
  if (rootRows.includes(-1)) throw new TypeError('encodeGraph: every root must be an object or an array');
  return { rows, roots: rootRows };
}

export class GraphFormatError extends Error {}

export function decodeGraph(encoded: unknown): unknown[] {
  const { rows, roots } = (encoded ?? {}) as Partial<EncodedGraph>;
  if (!Array.isArray(rows) || !Array.isArray(roots)) throw new GraphFormatError('not an encoded graph');
  const nodes = rows.map((row) => {
    if (!Array.isArray(row) || (row[0] !== 'o' && row[0] !== 'a')) throw new GraphFormatError('bad row');
    return row[0] === 'a' ? [] : {};
  });
  const resolve = (value: unknown): unknown => {
    if (value === null || typeof value !== 'object') return value;
    const row = Array.isArray(value) && value.length === 1 ? value[0] : undefined;
    if (typeof row !== 'number' || nodes[row] === undefined) throw new GraphFormatError('bad link');
    return nodes[row];
  };
  rows.forEach((row, index) => {
    const node = nodes[index]!;
    if (Array.isArray(node)) {
      for (let i = 1; i < row.length; i++) node.push(resolve(row[i]));
      return;
    }
    if (row.length % 2 !== 1) throw new GraphFormatError('bad object row');
    for (let i = 1; i < row.length; i += 2) {
      const key = row[i];
      if (typeof key !== 'string') throw new GraphFormatError('bad key');
      const value = resolve(row[i + 1]);
      if (key === '__proto__')
        Object.defineProperty(node, key, { value, enumerable: true, writable: true, configurable: true });
      else (node as Record<string, unknown>)[key] = value;
    }
  });
  return roots.map((root) => {
    if (typeof root !== 'number' || nodes[root] === undefined) throw new GraphFormatError('bad root');
    return nodes[root];
  });
}
