/**
 * Shape checks of values read from the wire, where no schema runs (the fast path).
 */
import type { RequestId } from '@modelcontextprotocol/server';

/** A JSON object: not null, not an array. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A JSON-RPC request id as MCP allows it: a string or an integer (never null, never fractional). */
export function isRequestId(value: unknown): value is RequestId {
  return typeof value === 'string' || (typeof value === 'number' && Number.isInteger(value));
}
