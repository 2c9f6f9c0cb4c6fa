/**
 * Regular expressions from `pattern`. JSON Schema patterns are ECMA-262 with the `u` flag, but real
 * specs carry escapes that only the legacy syntax accepts (`[\w\-\:]`): such a pattern is read
 * without `u` rather than failing the whole spec.
 */
export function schemaRegExp(pattern: string, flags = 'u'): RegExp {
  try {
    return new RegExp(pattern, flags);
  } catch (error) {
    if (!flags.includes('u')) throw error;
    return new RegExp(pattern, flags.replace('u', ''));
  }
}
