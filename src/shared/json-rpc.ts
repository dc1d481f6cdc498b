import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

/**
 * Whether a parsed line is a JSON-RPC 2.0 message. Deliberately shallow: it sorts protocol lines from stray
 * output at the edges (a backend's stdout, the client's stdin). Each message is checked further by whoever reads
 * it: the gateway's shortcut for the fields it uses, the SDK for everything else.
 */
export function isJsonRpcMessage(value: unknown): value is JSONRPCMessage {
  return typeof value === 'object' && value !== null && (value as { jsonrpc?: unknown }).jsonrpc === '2.0';
}
