/** Reads a V8 .cpuprofile: self time per function, for finding where a server spends each request. */
import { readFileSync } from 'node:fs';

/** @returns {{ busyMicros: number, functions: { name: string, selfMicros: number }[] }} sorted by self time, idle excluded */
export function selfTimes(file) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const sampled = new Map();
  for (const [index, nodeId] of profile.samples.entries()) {
    sampled.set(nodeId, (sampled.get(nodeId) ?? 0) + (profile.timeDeltas[index] ?? 0));
  }
  const byName = new Map();
  let busyMicros = 0;
  for (const node of profile.nodes) {
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') continue;
    const micros = sampled.get(node.id) ?? 0;
    busyMicros += micros;
    // Project files by their path under dist/, dependencies by package, Node internals as node:…
    const where = url.replace(/^file:\/\/.*\/(dist|node_modules)\//, '$1/');
    const name = `${functionName || '(anonymous)'}${where ? ` ${where}:${lineNumber + 1}` : ''}`;
    byName.set(name, (byName.get(name) ?? 0) + micros);
  }
  const functions = [...byName]
    .map(([name, selfMicros]) => ({ name, selfMicros }))
    .sort((a, b) => b.selfMicros - a.selfMicros);
  return { busyMicros, functions };
}

/**
 * CPU time by piece of work: each sample goes to the nearest project function on its stack (walking
 * up from where the time was spent, so ajv's generated code counts for the validator that called it
 * and `JSON.stringify` for the answer's renderer), and `pieceOf` names the piece of that file.
 * Samples with no project function on their stack are Node's own (promises, ticks), the garbage
 * collector or V8 itself.
 * @param {object} profile a V8 CPU profile (the Profiler.stop result, or a parsed .cpuprofile)
 * @param {(file: string, functionName: string) => string | undefined} pieceOf file relative to dist/
 *   (`src/mock/store.js`) or the checkout (`bench/pipeline.js`); undefined skips the frame (shared
 *   helpers), so its caller decides
 * @returns {{ busyMicros: number, pieces: Map<string, number> }} µs per piece, idle excluded
 */
export function piecesOf(profile, pieceOf) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const pieceOfNode = new Map();
  const pieceFor = (id) => {
    if (pieceOfNode.has(id)) return pieceOfNode.get(id);
    const { functionName, url } = byId.get(id).callFrame;
    let piece;
    const file = /\/dist\/(.*)$/.exec(url)?.[1] ?? /\/(bench\/.*)$/.exec(url)?.[1];
    if (file) piece = pieceOf(file, functionName);
    if (piece === undefined) {
      const parent = parentOf.get(id);
      if (parent !== undefined) piece = pieceFor(parent);
      // Reached the root with no project frame: what V8 and Node spent on their own.
      else piece = undefined;
    }
    pieceOfNode.set(id, piece);
    return piece;
  };
  const pieces = new Map();
  let busyMicros = 0;
  for (const [index, nodeId] of profile.samples.entries()) {
    const { functionName } = byId.get(nodeId).callFrame;
    if (functionName === '(idle)') continue;
    const micros = profile.timeDeltas[index] ?? 0;
    busyMicros += micros;
    const piece =
      functionName === '(garbage collector)'
        ? 'garbage collector'
        : functionName === '(program)'
          ? 'V8 (program)'
          : (pieceFor(nodeId) ?? 'Node (promises, ticks)');
    pieces.set(piece, (pieces.get(piece) ?? 0) + micros);
  }
  return { busyMicros, pieces };
}
