/** The default byte budget for stored records, sized from the heap this process may use. */
import v8 from 'node:v8';

/**
 * V8 caps a string at about 512 MiB: state bigger than this would not fit in the one JSON string
 * `GET /__parley/state` answers with. Record sizes are counted as JSON length, so this holds.
 */
const LARGEST_BUDGET_BYTES = 400 * 1024 * 1024;

/**
 * A quarter of the heap limit (`--max-old-space-size`), at most 400 MiB. Records are counted by
 * their JSON length, and objects take two to three times that in the heap; the rest is left for
 * requests in flight, answers being built and the state file's saves.
 */
export function defaultMemoryBudget(): number {
  return Math.min(Math.floor(v8.getHeapStatistics().heap_size_limit / 4), LARGEST_BUDGET_BYTES);
}
