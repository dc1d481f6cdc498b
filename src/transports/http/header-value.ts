/**
 * A request header as one string: the first of a repeated header, undefined when absent.
 */
import type { IncomingMessage } from 'node:http';

/** The value of header `name` (lower case) of `req`, the first one when it is repeated. */
export function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
