/**
 * Each job's seed: the run's, mixed with what names the job (spec, operation, phase, job name). Jobs
 * drawing from one seed draw the same values: two sequences starting at the same create would pick
 * the same client-chosen name, and one deleting it while the other reads it back is a failure the
 * harness made. A replay with the same --seed (and --only) names the same jobs, so it draws the same.
 */
export function jobSeed(runSeed: number, ...names: string[]): number {
  // FNV-1a over the run's seed and the names, each ended by a NUL so ("ab", "c") differs from ("a", "bc").
  let hash = 0x811c9dc5;
  for (const part of [String(runSeed), ...names]) {
    for (let at = 0; at < part.length; at++) hash = Math.imul(hash ^ part.charCodeAt(at), 0x01000193);
    hash = Math.imul(hash ^ 0, 0x01000193);
  }
  return hash >>> 1; // a non-negative 31-bit seed, as --seed takes
}
