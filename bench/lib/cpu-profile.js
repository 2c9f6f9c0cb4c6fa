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
