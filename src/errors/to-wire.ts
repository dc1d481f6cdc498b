/**
 * The one boundary where failures become what a client receives: a JSON-RPC error, or an `isError` tool result.
 * The only module (with the HTTP front door's own refusals) that names JSON-RPC error codes.
 */
import { ErrorCode, McpError, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';

import { GatewayError, type GatewayErrorCode } from './gateway-error.js';
import { plainMessage, ProtocolError } from './protocol-error.js';

/** MCP's code for "resource not found". */
const RESOURCE_NOT_FOUND = -32002;

const RPC_CODES: Readonly<Record<GatewayErrorCode, number>> = {
  invalid_input: ErrorCode.InvalidParams,
  invalid_config: ErrorCode.InvalidParams,
  invalid_name: ErrorCode.InvalidParams,
  duplicate_server: ErrorCode.InvalidParams,
  duplicate_request_id: ErrorCode.InvalidRequest,
  unknown_server: ErrorCode.InvalidParams,
  unknown_tool: ErrorCode.InvalidParams,
  unknown_prompt: ErrorCode.InvalidParams,
  unknown_scenario: ErrorCode.InvalidParams,
  resource_not_found: RESOURCE_NOT_FOUND,
  backend_unavailable: ErrorCode.InternalError,
  spawn_failed: ErrorCode.InternalError,
  handshake_failed: ErrorCode.InternalError,
  backend_exited: ErrorCode.ConnectionClosed,
  timeout: ErrorCode.RequestTimeout,
  cancelled: ErrorCode.InternalError,
  backend_error: ErrorCode.InternalError,
  registration_denied: ErrorCode.InvalidRequest,
  self_reference: ErrorCode.InvalidParams,
  no_session_for_request: ErrorCode.InternalError,
  client_lacks_capability: ErrorCode.InvalidRequest,
  internal: ErrorCode.InternalError,
};

/**
 * The JSON-RPC error a backend answered with, when `error` is the gateway's report of one (`backend_error` caused
 * by it); undefined for the gateway's own failures.
 */
export function backendRpcError(error: unknown): ProtocolError | undefined {
  return error instanceof GatewayError &&
    error.code === 'backend_error' &&
    error.cause instanceof ProtocolError
    ? error.cause
    : undefined;
}

/**
 * Maps any error to the JSON-RPC error the client receives. A gateway error keeps its message (which names the
 * backend and the tool) and takes the code of the backend's own error when there is one.
 */
export function toProtocolError(error: unknown): ProtocolError {
  if (error instanceof ProtocolError) return error;
  if (error instanceof GatewayError) {
    const remote = backendRpcError(error);
    return new ProtocolError(
      remote?.code ?? RPC_CODES[error.code],
      error.message,
      error.data ?? remote?.data,
    );
  }
  if (error instanceof McpError) return new ProtocolError(error.code, plainMessage(error), error.data);
  return new ProtocolError(ErrorCode.InternalError, plainMessage(error));
}

/**
 * The JSON-RPC error a client gets for a forwarded request: a backend's own error passes through as the backend
 * sent it (code, message, data), so the gateway is invisible; the gateway's failures (timeout, a backend that
 * exited) say which backend and why.
 */
export function toForwardedError(error: unknown): ProtocolError {
  return backendRpcError(error) ?? toProtocolError(error);
}

/** A failure as a tool result a model can read and act on. */
export function toErrorResult(message: string): CallToolResult {
  return { content: [{ type: 'text', text: message }], isError: true };
}

/** Whether an SDK error is its request timeout (the handshake's, for the gateway). */
export function isSdkTimeout(error: unknown): boolean {
  return error instanceof McpError && error.code === (ErrorCode.RequestTimeout as number);
}

/** A JSON-RPC error object of a response, as read from the wire, turned into a {@link ProtocolError}. */
export function fromWireError(error: Readonly<Record<string, unknown>>): ProtocolError {
  const code = typeof error.code === 'number' ? error.code : ErrorCode.InternalError;
  const text = typeof error.message === 'string' ? plainMessage(error.message) : 'unknown error';
  return new ProtocolError(code, text, error.data);
}
