/**
 * The one boundary where failures become what a client receives: a JSON-RPC error, or an `isError` tool result.
 * The only module (with the HTTP front door's own refusals) that names JSON-RPC error codes.
 */
import {
  ProtocolError as SdkProtocolError,
  ProtocolErrorCode,
  SdkError,
  SdkErrorCode,
  SdkHttpError,
  type CallToolResult,
} from '@modelcontextprotocol/server';

import { GatewayError, type GatewayErrorCode } from './gateway-error.js';
import { plainMessage, ProtocolError } from './protocol-error.js';

/** The codes MCP implementations have long sent for a closed connection and a request timeout. */
const CONNECTION_CLOSED = -32000;
const REQUEST_TIMEOUT = -32001;
/**
 * A request refused for a limit (calls in flight, calls per minute): a server error code of the gateway's own (in
 * JSON-RPC's implementation-defined range), with `data: { limit, value, retryAfterMs }`.
 */
export const LIMIT_EXCEEDED = -32029;

const RPC_CODES: Readonly<Record<GatewayErrorCode, number>> = {
  invalid_input: ProtocolErrorCode.InvalidParams,
  invalid_config: ProtocolErrorCode.InvalidParams,
  invalid_state: ProtocolErrorCode.InternalError,
  invalid_name: ProtocolErrorCode.InvalidParams,
  duplicate_server: ProtocolErrorCode.InvalidParams,
  duplicate_request_id: ProtocolErrorCode.InvalidRequest,
  unknown_server: ProtocolErrorCode.InvalidParams,
  unknown_tool: ProtocolErrorCode.InvalidParams,
  ambiguous_tool: ProtocolErrorCode.InvalidParams,
  unknown_prompt: ProtocolErrorCode.InvalidParams,
  unknown_scenario: ProtocolErrorCode.InvalidParams,
  // -32602 at every revision, as 2026-07-28 requires (SEP-2164) and the SDK's server sends; clients of 2025 accept it.
  resource_not_found: ProtocolErrorCode.InvalidParams,
  backend_unavailable: ProtocolErrorCode.InternalError,
  spawn_failed: ProtocolErrorCode.InternalError,
  handshake_failed: ProtocolErrorCode.InternalError,
  backend_exited: CONNECTION_CLOSED,
  timeout: REQUEST_TIMEOUT,
  cancelled: ProtocolErrorCode.InternalError,
  backend_error: ProtocolErrorCode.InternalError,
  registration_denied: ProtocolErrorCode.InvalidRequest,
  self_reference: ProtocolErrorCode.InvalidParams,
  no_session_for_request: ProtocolErrorCode.InternalError,
  client_lacks_capability: ProtocolErrorCode.InvalidRequest,
  // The item exists but is held back until a person approves its changed definition: not a bad parameter.
  definition_changed: ProtocolErrorCode.InvalidRequest,
  limit_exceeded: LIMIT_EXCEEDED,
  // The principal's access rules keep it from the item: the request is not malformed, it is not allowed.
  access_denied: ProtocolErrorCode.InvalidRequest,
  audit_unavailable: ProtocolErrorCode.InternalError,
  cluster_unavailable: ProtocolErrorCode.InternalError,
  internal: ProtocolErrorCode.InternalError,
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
 * The ids of the URL-mode elicitations a backend's error asks the client to complete (URLElicitationRequired,
 * -32042, 2025-11-25): the backend announces each completion later with `notifications/elicitation/complete`, which
 * must reach the client that got the error. Empty for any other error.
 */
export function urlElicitationIds(error: unknown): string[] {
  const remote = backendRpcError(error);
  if (remote?.code !== ProtocolErrorCode.UrlElicitationRequired) return [];
  const elicitations = (remote.data as { elicitations?: unknown } | undefined)?.elicitations;
  if (!Array.isArray(elicitations)) return [];
  return elicitations
    .map((elicitation: unknown) => (elicitation as { elicitationId?: unknown } | null)?.elicitationId)
    .filter((id): id is string => typeof id === 'string');
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
  if (error instanceof SdkProtocolError)
    return new ProtocolError(error.code, plainMessage(error), error.data);
  return new ProtocolError(ProtocolErrorCode.InternalError, plainMessage(error));
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

/** Whether a peer refused a request for its protocol version (-32022, 2026-07-28): a server of the other era. */
export function isUnsupportedProtocolVersion(error: unknown): boolean {
  const code = ProtocolErrorCode.UnsupportedProtocolVersion as number;
  if (error instanceof SdkProtocolError) return error.code === code;
  // Over HTTP the refusal is a 400 whose body is the JSON-RPC error.
  if (!(error instanceof SdkHttpError)) return false;
  const body = (error.data as { text?: unknown } | undefined)?.text;
  if (typeof body !== 'string') return false;
  try {
    return (JSON.parse(body) as { error?: { code?: unknown } }).error?.code === code;
  } catch {
    return false;
  }
}

/** Whether an SDK error is its request timeout (the handshake's, for the gateway). */
export function isSdkTimeout(error: unknown): boolean {
  return error instanceof SdkError && error.code === SdkErrorCode.RequestTimeout;
}

/** A JSON-RPC error object of a response, as read from the wire, turned into a {@link ProtocolError}. */
export function fromWireError(error: Readonly<Record<string, unknown>>): ProtocolError {
  const code = typeof error.code === 'number' ? error.code : ProtocolErrorCode.InternalError;
  const text = typeof error.message === 'string' ? plainMessage(error.message) : 'unknown error';
  return new ProtocolError(code, text, error.data);
}
