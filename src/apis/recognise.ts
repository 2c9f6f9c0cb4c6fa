/**
 * Which bundled API a spec is, recognised by its content: an operation at the API's path whose
 * request body declares the API's own fields. A user's spec that merely has a `POST /sessions` is
 * not Julep, and gets generic behaviour and generic tests.
 */
import type { Operation, Spec } from '../openapi/types.js';

export type BundledApiName = 'feather' | 'julep' | 'eliza';

interface Fingerprint {
  /** "METHOD /path" of an operation the API always has. */
  operation: string;
  /** Request body properties that operation declares. */
  properties: readonly string[];
}

const FINGERPRINTS: ReadonlyMap<BundledApiName, readonly Fingerprint[]> = new Map([
  [
    'feather',
    [
      { operation: 'POST /v1/ask-feather/sessions', properties: ['title'] },
      {
        operation: 'POST /v1/v2/conversations',
        properties: ['end_user_id', 'assistant_id', 'team_id', 'team_revision_id'],
      },
    ],
  ],
  [
    'julep',
    [
      {
        operation: 'POST /sessions',
        properties: ['agent', 'recall_options', 'render_templates', 'forward_tool_calls'],
      },
    ],
  ],
  ['eliza', [{ operation: 'POST /api/messaging/sessions', properties: ['agentId', 'userId', 'timeoutConfig'] }]],
]);

const recognised = new WeakMap<Spec, BundledApiName | null>();

/** The bundled API this spec is, or undefined for any other spec. */
export function bundledApiOf(spec: Spec): BundledApiName | undefined {
  let name = recognised.get(spec);
  if (name === undefined) recognised.set(spec, (name = recognise(spec)));
  return name ?? undefined;
}

function recognise(spec: Spec): BundledApiName | null {
  for (const [name, fingerprints] of FINGERPRINTS) {
    if (fingerprints.every((fingerprint) => declares(spec, fingerprint))) return name;
  }
  return null;
}

function declares(spec: Spec, fingerprint: Fingerprint): boolean {
  const operation = spec.operations.find((op) => `${op.method.toUpperCase()} ${op.path}` === fingerprint.operation);
  const properties = operation && requestProperties(operation);
  return properties !== undefined && fingerprint.properties.every((name) => properties.has(name));
}

function requestProperties(operation: Operation): Set<string> | undefined {
  const schema = operation.requestBody?.content.find((media) => /json/i.test(media.mediaType))?.schema;
  if (!schema || typeof schema !== 'object' || !schema.properties || typeof schema.properties !== 'object')
    return undefined;
  return new Set(Object.keys(schema.properties));
}
