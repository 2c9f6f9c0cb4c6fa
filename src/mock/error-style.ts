/**
 * Each API answers errors in its own documented shape. The shape for a status is read from the
 * schema the operation documents for it; where it documents none, from the shape the spec uses most.
 * Four shapes have hand-written renderings; any other documented JSON object schema is filled in.
 */
import { classifyErrorSchema, documentedResponse, type ErrorStyle } from '../openapi/responses.js';
import { viewOf } from '../openapi/schema-view.js';
import type { JsonSchema, Operation, Spec } from '../openapi/types.js';
import { carriesMessage } from './schema-error.js';

export type { ErrorStyle };

export type ErrorShape = { style: Exclude<ErrorStyle, 'schema'> } | { style: 'schema'; schema: JsonSchema };

const PROBLEM: ErrorShape = { style: 'problem' };
const specShapes = new WeakMap<Spec, ErrorShape>();

/**
 * The shape a documented response schema gives errors, if it documents a JSON object at all. The
 * operation's own schema for the status is its shape even with no message field (DigitalOcean's
 * `{error, root_causes}`); the spec-wide shape is chosen among those that carry a message.
 */
function shapeOf(schema: JsonSchema | undefined, documentedHere = false): ErrorShape | undefined {
  const style = classifyErrorSchema(schema);
  if (style && style !== 'schema') return { style };
  const objectSchema = documentedHere && viewOf(schema).properties.size > 0;
  return carriesMessage(schema) || objectSchema ? { style: 'schema', schema: schema! } : undefined;
}

/** The error shape a spec uses most across its 4xx/5xx responses (the same schema object counts as one shape). */
export function dominantErrorShape(spec: Spec): ErrorShape {
  let shape = specShapes.get(spec);
  if (!shape) {
    const counts = new Map<unknown, { shape: ErrorShape; count: number }>();
    for (const operation of spec.operations) {
      for (const response of operation.responses) {
        if (!/^[45]|default/.test(response.status)) continue;
        const found = shapeOf(response.content[0]?.schema);
        if (!found) continue;
        const key = found.style === 'schema' ? found.schema : found.style;
        const entry = counts.get(key) ?? { shape: found, count: 0 };
        entry.count++;
        counts.set(key, entry);
      }
    }
    shape = [...counts.values()].sort((a, b) => b.count - a.count)[0]?.shape ?? PROBLEM;
    specShapes.set(spec, shape);
  }
  return shape;
}

export function errorShapeFor(operation: Operation | undefined, spec: Spec | undefined, status: number): ErrorShape {
  const documented = operation && documentedResponse(operation, status);
  return shapeOf(documented?.content[0]?.schema, true) ?? (spec ? dominantErrorShape(spec) : PROBLEM);
}

/**
 * Picks the status for a kind of client error: the first of `preferred` the operation documents,
 * else the first of the list (e.g. validation → 422 for FastAPI APIs, 400 for ElizaOS).
 */
export function pickStatus(operation: Operation | undefined, preferred: readonly number[]): number {
  return (
    (operation && preferred.find((status) => operation.responses.some((r) => r.status === String(status)))) ??
    preferred[0]
  );
}
