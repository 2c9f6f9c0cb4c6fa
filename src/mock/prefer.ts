/** The `Prefer` request header, with the same controls as Prism: code=, example=, dynamic=. */

export interface Preferences {
  code?: number;
  example?: string;
  dynamic?: boolean;
}

export function parsePrefer(header: string | string[] | undefined): Preferences {
  const preferences: Preferences = {};
  const text = Array.isArray(header) ? header.join(',') : header;
  if (!text) return preferences;
  for (const part of text.split(/[,;]/)) {
    const [rawKey, ...rest] = part.split('=');
    const key = rawKey.trim().toLowerCase();
    const value = rest
      .join('=')
      .trim()
      .replace(/^"(.*)"$/, '$1');
    if (key === 'code' && /^[1-5]\d\d$/.test(value)) preferences.code = Number(value);
    else if (key === 'example' && value) preferences.example = value;
    else if (key === 'dynamic') preferences.dynamic = value === '' || value === 'true';
  }
  return preferences;
}
