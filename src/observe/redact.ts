/**
 * Redaction of argument values before they are written anywhere (the audit log): the value of every key that looks
 * like it holds a secret is replaced, at any depth, in objects and arrays alike.
 */

/** Keys whose values are never written: passwords, secrets, tokens, keys, auth headers, credentials, cookies. */
export const SECRET_KEY = /pass|secret|token|key|auth|credential|cookie|session|signature|private/i;

/** What a redacted value is replaced with. */
export const REDACTED = '[redacted]';

/** Nesting deeper than this is cut (`[too deep]`): arguments are JSON, but a record must stay bounded. */
const MAX_DEPTH = 32;

/** A copy of `value` with the values of secret-looking keys replaced by {@link REDACTED}. */
export function redact(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return '[too deep]';
  if (Array.isArray(value)) return value.map((item: unknown) => redact(item, depth + 1));
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    copy[key] = SECRET_KEY.test(key) ? REDACTED : redact(item, depth + 1);
  }
  return copy;
}
