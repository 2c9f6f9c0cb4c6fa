/** The JSON types a schema admits: declared by `type`, or implied by the keywords it uses. */
export function typesOf(schema: Record<string, any>): string[] {
  if (Array.isArray(schema.type)) return [...schema.type];
  if (typeof schema.type === 'string') return [schema.type];
  if (schema.properties || schema.additionalProperties !== undefined || schema.required) return ['object'];
  if (schema.items || schema.prefixItems) return ['array'];
  if (schema.minLength !== undefined || schema.maxLength !== undefined || schema.pattern || schema.format) return ['string'];
  if (schema.minimum !== undefined || schema.maximum !== undefined || schema.multipleOf !== undefined) return ['number'];
  return [];
}
