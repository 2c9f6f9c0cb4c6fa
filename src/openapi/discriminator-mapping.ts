/**
 * A discriminator written in one of a spec's other files names its `mapping` targets relative to
 * that file (DigitalOcean's `models/droplet_actions.yml#/droplet_action`). Bundling inlines or moves
 * those schemas but leaves the mapping's strings as they are, so they name nothing in the bundled
 * document. Each such target is rewritten, in place, to the pointer where the bundled document
 * holds the schema it names: the union then reads as its author wrote it.
 */
import path from 'node:path';
import { forEachNode, isPlainObject } from './json-value.js';
import { escapeSegment } from './pointer.js';

/** What this needs of json-schema-ref-parser's `$refs` after a bundle: the parsed files, and a lookup by absolute ref. */
export interface ResolvedFiles {
  values(): object;
  get(absoluteRef: string): unknown;
}

export function localizeDiscriminatorMappings(bundled: object, refs: ResolvedFiles): void {
  const pending = new Map<object, { mapping: Record<string, unknown>; tag: string }[]>();
  for (const [file, root] of Object.entries(refs.values() as Record<string, unknown>)) {
    // The root file's own `#/...` targets already point into the bundled document.
    if (root === bundled) continue;
    for (const mapping of mappingsIn(root)) {
      for (const [tag, target] of Object.entries(mapping)) {
        const schema = typeof target === 'string' ? resolveFrom(refs, file, target) : undefined;
        if (!isPlainObject(schema)) continue;
        const uses = pending.get(schema) ?? [];
        uses.push({ mapping, tag });
        pending.set(schema, uses);
      }
    }
  }
  if (pending.size === 0) return;
  for (const [schema, pointer] of pointersOf(bundled, new Set(pending.keys()))) {
    for (const { mapping, tag } of pending.get(schema) ?? []) mapping[tag] = pointer;
  }
}

/** Every discriminator `mapping` object in a parsed file (shared and cyclic nodes visited once). */
function mappingsIn(root: unknown): Record<string, unknown>[] {
  const found: Record<string, unknown>[] = [];
  forEachNode(root, (node) => {
    const discriminator = isPlainObject(node) ? node.discriminator : undefined;
    if (isPlainObject(discriminator) && isPlainObject(discriminator.mapping)) found.push(discriminator.mapping);
  });
  return found;
}

/** The value `target` names, read as a reference relative to `file`; undefined for a bare schema name or a broken ref. */
function resolveFrom(refs: ResolvedFiles, file: string, target: string): unknown {
  const hash = target.indexOf('#');
  const [filePart, fragment] = hash < 0 ? [target, '#'] : [target.slice(0, hash), target.slice(hash)];
  try {
    const absolute = /^[a-z][a-z\d+.-]+:\/\//i.test(file)
      ? new URL(target, file).href
      : `${filePart === '' ? file : path.resolve(path.dirname(file), decodeURI(filePart))}${fragment}`;
    return refs.get(absolute);
  } catch {
    return undefined;
  }
}

/** Where the bundled document holds each of `wanted` (the shallowest place, as a `#/...` ref). */
function pointersOf(document: unknown, wanted: Set<object>): Map<object, string> {
  const found = new Map<object, string>();
  const seen = new Set<object>();
  let level: [unknown, string][] = [[document, '#']];
  while (level.length > 0 && found.size < wanted.size) {
    const next: [unknown, string][] = [];
    for (const [node, pointer] of level) {
      if (node === null || typeof node !== 'object' || seen.has(node)) continue;
      seen.add(node);
      if (wanted.has(node) && !found.has(node)) found.set(node, pointer);
      for (const [key, child] of Object.entries(node))
        next.push([child, `${pointer}/${encodeURIComponent(escapeSegment(key))}`]);
    }
    level = next;
  }
  return found;
}
