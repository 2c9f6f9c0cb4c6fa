/** Security schemes in words, for messages that say what credentials an operation expects. */
import type { Operation, SecurityScheme } from './types.js';

export function describeScheme(scheme: SecurityScheme): string {
  if (scheme.type === 'apiKey')
    return `an API key in the ${scheme.name} ${scheme.in === 'header' ? 'header' : `${scheme.in} parameter`}`;
  if (scheme.type === 'http') return `${scheme.scheme} credentials in the Authorization header`;
  return 'a bearer token in the Authorization header';
}

/** "an API key in the x-api-key header, or a bearer token in the Authorization header". */
export function describeSecurity(operation: Operation): string {
  return operation.security.map((alternative) => alternative.map(describeScheme).join(' and ')).join(', or ');
}
