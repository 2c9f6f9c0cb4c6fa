/**
 * Each API answers errors in its own documented shape. The style for a status is read from the
 * schema the operation documents for it; where it documents none, from the shape the spec uses most.
 */
import type { JsonSchema, Operation, ResponseSpec, Spec } from '../spec/types.js';

export type ErrorStyle =
  /** FastAPI: `{detail: [{loc, msg, type}]}` for validation, `{detail: "..."}` otherwise. */
  | 'fastapi'
  /** `{success: false, error: {code, message, details}}` (ElizaOS). */
  | 'envelope'
  /** `{error, message}` (Feather's ErrorResponse). */
  | 'error-message'
  /** RFC 9457 problem details: the fallback for specs that document no error shape. */
  | 'problem';

export function classifyErrorSchema(schema: JsonSchema | undefined): ErrorStyle | undefined {
  if (!schema || typeof schema !== 'object') return undefined;
  const properties = (schema.properties ?? {}) as Record<string, any>;
  if (properties.detail && (properties.detail.type === 'array' || properties.detail.items)) return 'fastapi';
  if (properties.success && properties.error && (properties.error.type === 'object' || properties.error.properties)) return 'envelope';
  if (properties.error && properties.message) return 'error-message';
  if (properties.title && (properties.status || properties.type)) return 'problem';
  return undefined;
}

/** The documented response for a status: exact code, then its class ("4XX"), then default. */
export function documentedResponse(operation: Operation, status: number): ResponseSpec | undefined {
  const exact = String(status);
  const range = `${exact[0]}XX`;
  return (
    operation.responses.find((r) => r.status === exact) ??
    operation.responses.find((r) => r.status === range) ??
    (status >= 400 ? operation.responses.find((r) => r.status === 'default') : undefined)
  );
}

export function isDocumented(operation: Operation, status: number): boolean {
  const exact = String(status);
  return operation.responses.some((r) => r.status === exact || r.status === `${exact[0]}XX`);
}

const specStyles = new WeakMap<Spec, ErrorStyle>();

/** The error shape a spec uses most across its 4xx/5xx responses. */
export function dominantErrorStyle(spec: Spec): ErrorStyle {
  let style = specStyles.get(spec);
  if (!style) {
    const counts = new Map<ErrorStyle, number>();
    for (const operation of spec.operations) {
      for (const response of operation.responses) {
        if (!/^[45]|default/.test(response.status)) continue;
        const found = classifyErrorSchema(response.content[0]?.schema);
        if (found) counts.set(found, (counts.get(found) ?? 0) + 1);
      }
    }
    style = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 'problem';
    specStyles.set(spec, style);
  }
  return style;
}

export function errorStyleFor(operation: Operation | undefined, spec: Spec | undefined, status: number): ErrorStyle {
  const documented = operation && documentedResponse(operation, status);
  return (
    classifyErrorSchema(documented?.content[0]?.schema) ??
    (spec ? dominantErrorStyle(spec) : undefined) ??
    'problem'
  );
}

/**
 * Picks the status for a kind of client error: the first of `preferred` the operation documents,
 * else the first of the list (e.g. validation → 422 for FastAPI APIs, 400 for ElizaOS).
 */
export function pickStatus(operation: Operation | undefined, preferred: readonly number[]): number {
  return (operation && preferred.find((status) => operation.responses.some((r) => r.status === String(status)))) ?? preferred[0];
}
