/** The vocabulary of `parley diff`: one change between two versions of a spec, judged from the clients' side. */

export interface Change {
  /** A stable identifier of the kind of change, e.g. "request-property-became-required". */
  id: string;
  /** True when a client written against the old spec can fail against the new one. */
  breaking: boolean;
  /** "POST /pets", or "" for a change to the document as a whole. */
  operation: string;
  /** Where in the operation: "request body name", "response 200 body items[].id", "query parameter limit". */
  location: string;
  message: string;
}

export interface DiffReport {
  old: { file: string; title: string; version: string };
  new: { file: string; title: string; version: string };
  changes: Change[];
  breaking: number;
}

/**
 * Requests flow from the client: the new spec breaks clients when it accepts less than the old one.
 * Responses flow to the client: it breaks them when it may send what the old one never did.
 */
export type Direction = 'request' | 'response';

/** How the set of values a schema admits moved between versions. */
export type Movement = 'narrower' | 'wider' | 'different';

export function isBreaking(direction: Direction, movement: Movement): boolean {
  if (movement === 'different') return true;
  return direction === 'request' ? movement === 'narrower' : movement === 'wider';
}
