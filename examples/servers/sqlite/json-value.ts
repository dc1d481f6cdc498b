/**
 * A SQLite value made JSON-safe: BLOBs become `X'…'` hex literals (as SQLite would print them) instead
 * of Node's `{type: 'Buffer', data: [...]}`, and 64-bit integers become strings instead of throwing.
 */
export function toJsonValue(value: unknown): unknown {
  if (Buffer.isBuffer(value)) return `X'${value.toString('hex').toUpperCase()}'`;
  if (typeof value === 'bigint') return value.toString();
  return value;
}

/** A result row with every value made JSON-safe. */
export function toJsonRow(row: unknown): Record<string, unknown> {
  const entries = Object.entries(row as Record<string, unknown>);
  return Object.fromEntries(entries.map(([key, value]) => [key, toJsonValue(value)]));
}
