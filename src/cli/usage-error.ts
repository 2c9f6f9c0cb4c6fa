/** A mistake in how a command was called: reported as a one-line message with exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export function parseNumberOption(
  name: string,
  value: string | undefined,
  { min = -Infinity, max = Infinity, integer = false } = {},
): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (
    value.trim() === '' ||
    !Number.isFinite(number) ||
    number < min ||
    number > max ||
    (integer && !Number.isInteger(number))
  ) {
    const range = `${min === -Infinity ? '' : `from ${min} `}${max === Infinity ? '' : `to ${max}`}`.trim();
    throw new UsageError(
      `--${name} expects ${integer ? 'a whole number' : 'a number'}${range ? ` ${range}` : ''}, got "${value}"`,
    );
  }
  return number;
}

/** "1mb", "512kb", "2048" → bytes. */
export function parseByteSize(
  name: string,
  value: string | undefined,
  { min = 0 }: { min?: number } = {},
): number | undefined {
  if (value === undefined) return undefined;
  const match = /^(\d+(?:\.\d+)?)\s*(b|kb|k|mb|m|gb|g)?$/i.exec(value.trim());
  if (!match) throw new UsageError(`--${name} expects a size such as 1048576, 512kb or 10mb, got "${value}"`);
  const unit = (match[2] ?? 'b').toLowerCase()[0];
  const factor = unit === 'k' ? 1024 : unit === 'm' ? 1024 ** 2 : unit === 'g' ? 1024 ** 3 : 1;
  const bytes = Math.floor(Number(match[1]) * factor);
  if (bytes < min)
    throw new UsageError(`--${name} must be at least ${min} byte${min === 1 ? '' : 's'}, got "${value}"`);
  return bytes;
}

/** An http:// or https:// URL given to a flag such as --target or --upstream. */
export function parseHttpUrl(name: string, value: string | undefined, example: string): string {
  if (!value) throw new UsageError(`--${name} <url> is required, e.g. ${example}`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`--${name} "${value}" is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UsageError(`--${name} must be http:// or https://, got "${value}"`);
  return url.toString();
}
