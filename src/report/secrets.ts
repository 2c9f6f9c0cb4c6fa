/**
 * Secrets never reach a report: every occurrence of a credential's value is replaced by the name of
 * the environment variable that carries it, so a curl from a report replays once that is exported.
 */

export interface Secret {
  value: string;
  /** The environment variable it is shown as, e.g. "PARLEY_API_KEY". */
  variable: string;
}

export const MIN_SECRET_LENGTH = 4;

/** A deep copy of a JSON-like value with every secret replaced: `$NAME` in text, `'"$NAME"'` inside a single-quoted curl. */
export function redactSecrets<T>(value: T, secrets: readonly Secret[]): T {
  // Longest first: a key that contains another key is replaced whole. A value shorter than
  // MIN_SECRET_LENGTH cannot be hidden without mangling ordinary text (a key "k"), so it is not.
  const ordered = secrets
    .filter((s) => s.value.length >= MIN_SECRET_LENGTH)
    .sort((a, b) => b.value.length - a.value.length);
  if (ordered.length === 0) return value;
  const replace = (text: string, inCurl: boolean) =>
    ordered.reduce(
      (out, secret) => out.split(secret.value).join(inCurl ? `'"$${secret.variable}"'` : `$${secret.variable}`),
      text,
    );
  // Walked with a stack, not recursion: a report may hold a target's answer, nested as deep as it likes.
  const root: { value?: unknown } = {};
  const stack: [
    node: unknown,
    key: string | undefined,
    parent: Record<string | number, unknown>,
    slot: string | number,
  ][] = [[value, undefined, root, 'value']];
  while (stack.length > 0) {
    const [node, key, parent, slot] = stack.pop()!;
    if (typeof node === 'string') {
      parent[slot] = replace(node, key === 'curl');
    } else if (Array.isArray(node)) {
      const copy: unknown[] = new Array(node.length);
      parent[slot] = copy;
      for (const [index, item] of node.entries())
        stack.push([item, undefined, copy as unknown as Record<number, unknown>, index]);
    } else if (node && typeof node === 'object') {
      const copy: Record<string, unknown> = Object.create(null);
      parent[slot] = copy;
      for (const [name, child] of Object.entries(node)) {
        // Set now, so the copy keeps the original's key order.
        copy[name] = undefined;
        stack.push([child, name, copy, name]);
      }
    } else {
      parent[slot] = node;
    }
  }
  return root.value as T;
}

/** Credentials from the environment: PARLEY_API_KEY, and a header for each PARLEY_HEADER_<NAME> (underscores become dashes). */
export function credentialsFromEnvironment(env: NodeJS.ProcessEnv): {
  apiKey: string | undefined;
  headers: Map<string, string>;
  secrets: Secret[];
} {
  const headers = new Map<string, string>();
  const secrets: Secret[] = [];
  const apiKey = env.PARLEY_API_KEY || undefined;
  if (apiKey) secrets.push({ value: apiKey, variable: 'PARLEY_API_KEY' });
  for (const [variable, value] of Object.entries(env)) {
    const match = /^PARLEY_HEADER_([A-Za-z0-9_]+)$/.exec(variable);
    if (!match || !value) continue;
    headers.set(match[1].toLowerCase().replace(/_/g, '-'), value);
    secrets.push({ value, variable });
  }
  return { apiKey, headers, secrets };
}
