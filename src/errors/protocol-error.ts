/**
 * A JSON-RPC error as it is on the wire: the gateway's answer to a client, or a backend's answer to the gateway.
 */

/**
 * An error sent to (or received from) a peer as a JSON-RPC error with this code and message. The SDK sends
 * `message` as it is and prefixes it on the receiving side, so it must not carry the `MCP error <code>: ` prefix an
 * SDK `McpError` adds: {@link plainMessage} strips it.
 */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';

  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
  }
}

// Backends built on the SDK often send an already prefixed message, which the SDK prefixes again: strip them all.
const MCP_PREFIX = /^(?:MCP error -?\d+: )+/;

/**
 * The message of an error without the SDK's `MCP error <code>: ` prefix, so that rethrowing never produces
 * `MCP error -32602: MCP error -32602: ...`.
 */
export function plainMessage(error: unknown): string {
  if (error instanceof Error) return error.message.replace(MCP_PREFIX, '');
  if (typeof error === 'string') return error.replace(MCP_PREFIX, '');
  return String(error);
}
