import { createHash } from 'node:crypto';

/** What model APIs and Claude Desktop accept as a tool name. */
export const EXPOSED_NAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
const MAX_LENGTH = 64;
/** Separates a backend's prefix from its own tool or prompt name. */
export const PREFIX_SEPARATOR = '__';

/** A short, stable hash: the same input always gives the same suffix. */
export function shortHash(text: string, length = 8): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}

/**
 * The name a backend's tool or prompt is exposed under: `<prefix>__<name>` (or `<name>` with an empty prefix),
 * with characters models refuse (`.`, `:`, spaces...) replaced by `_`, and, when longer than 64 characters, cut and
 * ended with a hash of the full name so that two long names stay distinct. Always matches
 * {@link EXPOSED_NAME_PATTERN}.
 */
export function qualifyName(prefix: string, name: string): string {
  const full = prefix === '' ? name : `${prefix}${PREFIX_SEPARATOR}${name}`;
  const safe = full.replace(/[^A-Za-z0-9_-]/g, '_') || '_';
  return safe.length <= MAX_LENGTH ? safe : withSuffix(safe, shortHash(full));
}

/** `name` cut so that `name_suffix` fits in 64 characters. */
export function withSuffix(name: string, suffix: string): string {
  return `${name.slice(0, MAX_LENGTH - suffix.length - 1)}_${suffix}`;
}
