/**
 * Tool arguments that may be given as JSON strings: the first tools of this gateway took JSON strings, and clients
 * written for them still send `"params": "{\"state\": \"CA\"}"`.
 */
import { z } from 'zod';

import { GatewayError } from '../../errors/gateway-error.js';
import { findJsonErrorOffset } from '../../shared/json-error-offset.js';

/** A JSON object, or a string holding one. */
export const JsonObjectOrString = z.union([z.string(), z.record(z.string(), z.unknown())]);

/**
 * Reads a tool argument that is either already a value or a JSON string holding it. A string that is not valid
 * JSON is an error saying where it breaks.
 */
export function parseJsonArgument(value: unknown, what: string): unknown {
  if (typeof value !== 'string') return value;
  if (value.trim() === '') return undefined;
  try {
    return JSON.parse(value) as unknown;
  } catch (error) {
    throw new GatewayError('invalid_input', `${what} is not valid JSON: ${describeJsonError(value, error)}`);
  }
}

/** Like {@link parseJsonArgument}, and the value must be a JSON object (or absent, giving `{}`). */
export function parseJsonObjectArgument(value: unknown, what: string): Record<string, unknown> {
  const parsed = parseJsonArgument(value, what);
  if (parsed === undefined) return {};
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new GatewayError('invalid_input', `${what} must be a JSON object, got ${describeType(parsed)}`);
  }
  return parsed as Record<string, unknown>;
}

/** Adds `(line L, column C)` to V8's message, which gives at most a character offset. */
function describeJsonError(text: string, error: unknown): string {
  const message = (error as Error).message;
  const offset = findJsonErrorOffset(text);
  if (offset === undefined) return message;
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return `${message} (line ${line}, column ${column})`;
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}
