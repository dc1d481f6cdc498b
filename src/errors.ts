/**
 * The gateway's error class, and the single place where its codes are mapped to JSON-RPC error codes.
 */
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';

/** What went wrong, as a string code that never crosses the wire by itself. */
export type GatewayErrorCode =
  | 'invalid_input'
  | 'invalid_config'
  | 'invalid_name'
  | 'duplicate_server'
  | 'unknown_server'
  | 'unknown_tool'
  | 'unknown_scenario'
  | 'backend_unavailable'
  | 'spawn_failed'
  | 'handshake_failed'
  | 'backend_exited'
  | 'timeout'
  | 'cancelled'
  | 'backend_error'
  | 'registration_denied'
  | 'internal';

/** Options for {@link GatewayError}. */
export interface GatewayErrorOptions {
  /** The underlying failure, kept for logs and debugging. */
  cause?: unknown;
  /** The backend the error concerns, when there is one. */
  server?: string;
  /** The backend tool the error concerns, when there is one. */
  tool?: string;
  /** A JSON-RPC code to keep when the error came from a backend as an MCP error. */
  rpcCode?: number;
  /** The `data` of that MCP error, kept with it. */
  rpcData?: unknown;
}

/** An error raised by the gateway, with a machine-readable code and the backend and tool it concerns. */
export class GatewayError extends Error {
  override readonly name = 'GatewayError';
  readonly server: string | undefined;
  readonly tool: string | undefined;
  readonly rpcCode: number | undefined;
  readonly rpcData: unknown;

  constructor(
    readonly code: GatewayErrorCode,
    message: string,
    options: GatewayErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.server = options.server;
    this.tool = options.tool;
    this.rpcCode = options.rpcCode;
    this.rpcData = options.rpcData;
  }
}

const RPC_CODES: Readonly<Record<GatewayErrorCode, number>> = {
  invalid_input: ErrorCode.InvalidParams,
  invalid_config: ErrorCode.InvalidParams,
  invalid_name: ErrorCode.InvalidParams,
  duplicate_server: ErrorCode.InvalidParams,
  unknown_server: ErrorCode.InvalidParams,
  unknown_tool: ErrorCode.InvalidParams,
  unknown_scenario: ErrorCode.InvalidParams,
  backend_unavailable: ErrorCode.InternalError,
  spawn_failed: ErrorCode.InternalError,
  handshake_failed: ErrorCode.InternalError,
  backend_exited: ErrorCode.ConnectionClosed,
  timeout: ErrorCode.RequestTimeout,
  cancelled: ErrorCode.InternalError,
  backend_error: ErrorCode.InternalError,
  registration_denied: ErrorCode.InvalidRequest,
  internal: ErrorCode.InternalError,
};

// Backends built on the SDK often send an already prefixed message, which the SDK prefixes again: strip them all.
const MCP_PREFIX = /^(?:MCP error -?\d+: )+/;

/**
 * The message of an error without the SDK's `MCP error <code>: ` prefix, so that rethrowing never produces
 * `MCP error -32602: MCP error -32602: ...`.
 */
export function plainMessage(error: unknown): string {
  if (error instanceof Error) return error.message.replace(MCP_PREFIX, '');
  return String(error);
}

/**
 * An error sent to the client as a JSON-RPC error with this code and message. The SDK sends `message` as it is and
 * prefixes it on the receiving side, so it must not carry the `MCP error <code>: ` prefix an `McpError` adds.
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

/** Maps any error to the JSON-RPC error sent on the wire. Backend MCP errors keep their code and data. */
export function toProtocolError(error: unknown): ProtocolError {
  if (error instanceof ProtocolError) return error;
  if (error instanceof GatewayError) {
    return new ProtocolError(error.rpcCode ?? RPC_CODES[error.code], error.message, error.rpcData);
  }
  if (error instanceof McpError) {
    return new ProtocolError(error.code, plainMessage(error), error.data);
  }
  return new ProtocolError(ErrorCode.InternalError, plainMessage(error));
}
