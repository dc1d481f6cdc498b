/**
 * One text per JSON value, whatever the order its keys came in: what definitions are hashed and compared as. Two
 * backends (or two runs of one) that list the same schema with its keys in another order present the same tool.
 */
import { createHash } from 'node:crypto';

/**
 * `value` as JSON with the keys of every object sorted (by UTF-16 code units, as `Array.prototype.sort` does) and no
 * whitespace. Arrays keep their order: it is part of what they say. As with `JSON.stringify`, object members whose
 * value is `undefined` (or a function) are left out, and non-finite numbers become `null`.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortedKeys(value)) ?? 'null';
}

/** `sha256:<hex>` of `text`: the prefix says how the hash was made, so another algorithm can be told apart later. */
export function sha256(text: string): string {
  return `sha256:${createHash('sha256').update(text).digest('hex')}`;
}

/** `value` with every object rebuilt with its keys in order (JSON.stringify writes them in insertion order). */
function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value === null || typeof value !== 'object') return value;
  // An object with its own toJSON (a Date) is written as that gives it.
  const json = (value as { toJSON?: unknown }).toJSON;
  if (typeof json === 'function') return sortedKeys((json as () => unknown).call(value));
  // fromEntries defines each key as an own property, even "__proto__" (an assignment would set the prototype).
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortedKeys((value as Record<string, unknown>)[key])]),
  );
}
