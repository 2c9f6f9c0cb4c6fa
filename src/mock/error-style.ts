/**
 * Each API answers errors in its own documented shape. The style for a status is read from the
 * schema the operation documents for it; where it documents none, from the shape the spec uses most.
 */
import { classifyErrorSchema, documentedResponse, type ErrorStyle } from '../spec/responses.js';
import type { Operation, Spec } from '../spec/types.js';

export type { ErrorStyle };

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
