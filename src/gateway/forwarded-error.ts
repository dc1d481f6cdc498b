import { McpError } from '@modelcontextprotocol/sdk/types.js';

import { GatewayError, plainMessage, ProtocolError, toProtocolError } from '../errors.js';

/**
 * The JSON-RPC error a client gets for a forwarded request. A backend's own error passes through as the backend
 * sent it (code, message, data), so the gateway is invisible; the gateway's failures (timeout, a backend that
 * exited) say which backend and why.
 */
export function toForwardedError(error: unknown): ProtocolError {
  if (error instanceof GatewayError && error.rpcCode !== undefined && error.cause instanceof McpError) {
    return new ProtocolError(error.rpcCode, plainMessage(error.cause), error.rpcData);
  }
  return toProtocolError(error);
}
