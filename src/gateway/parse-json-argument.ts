import { GatewayError } from '../errors.js';

/**
 * Reads a tool argument that is either already a value or a JSON string holding it (the original gateway's tools
 * took JSON strings). A string that is not valid JSON is an error saying where it breaks.
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

/**
 * Adds `(line L, column C)` to V8's message. V8 gives a character offset for some errors, only the offending
 * character for others ("Unexpected token '}'"): then the first such character outside a string literal is it.
 */
function describeJsonError(text: string, error: unknown): string {
  const message = (error as Error).message;
  const offset = findErrorOffset(text, message);
  if (offset === undefined) return message;
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return `${message} (line ${line}, column ${column})`;
}

function findErrorOffset(text: string, message: string): number | undefined {
  const position = /at position (\d+)/.exec(message);
  if (position) return Number(position[1]);
  if (/Unexpected end of JSON input|Unterminated string/.test(message)) return text.length;
  const token = /Unexpected (?:token|non-whitespace character after JSON)[^'"]*['"]?(.)?/.exec(message)?.[1];
  if (token === undefined) return undefined;
  let inString = false;
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index];
    if (inString) {
      if (char === '\\') index += 1;
      else if (char === '"') inString = false;
    } else if (char === token) {
      return index;
    } else if (char === '"') {
      inString = true;
    }
  }
  return undefined;
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}
