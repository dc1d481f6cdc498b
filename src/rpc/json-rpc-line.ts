import type { JSONRPCMessage } from '@modelcontextprotocol/server';

/** What one line of newline-delimited JSON-RPC holds: a message, nothing (a blank line), or why it holds none. */
export type ParsedLine =
  | { readonly message: JSONRPCMessage; readonly problem?: undefined }
  | { readonly message?: undefined; readonly problem?: string };

/**
 * Reads one line at an edge (a backend's stdout, the client's stdin). Deliberately shallow: it sorts protocol lines
 * from stray output with a JSON parse and a `jsonrpc` check. Each message is checked further by whoever reads it:
 * the fast path for the fields of `tools/call` it uses, the SDK for everything else.
 */
export function parseJsonRpcLine(line: string): ParsedLine {
  if (line.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    return { problem: `not JSON: ${(error as Error).message}` };
  }
  if (typeof value !== 'object' || value === null || (value as { jsonrpc?: unknown }).jsonrpc !== '2.0') {
    return { problem: 'not a JSON-RPC 2.0 message' };
  }
  return { message: value as JSONRPCMessage };
}
