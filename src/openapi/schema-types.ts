import type { JsonSchema } from './types.js';

/** The JSON types a schema admits: declared by `type`, or implied by the keywords it uses. */
export function typesOf(schema: Record<string, any>): string[] {
  if (Array.isArray(schema.type)) return [...schema.type];
  if (typeof schema.type === 'string') return [schema.type];
  if (schema.properties || schema.additionalProperties !== undefined || schema.required) return ['object'];
  if (schema.items || schema.prefixItems) return ['array'];
  if (schema.minLength !== undefined || schema.maxLength !== undefined || schema.pattern || schema.format)
    return ['string'];
  if (schema.minimum !== undefined || schema.maximum !== undefined || schema.multipleOf !== undefined)
    return ['number'];
  return [];
}

/** The properties a schema declares, its own and its `allOf` parts' (a later part's declaration of a name wins). */
export function declaredProperties(schema: unknown): [string, JsonSchema][] {
  if (!schema || typeof schema !== 'object') return [];
  const own = schema as Record<string, any>;
  const parts = [own, ...(Array.isArray(own.allOf) ? own.allOf : [])];
  return parts.flatMap((part) =>
    part && typeof part === 'object' && part.properties && typeof part.properties === 'object'
      ? Object.entries<JsonSchema>(part.properties)
      : [],
  );
}
