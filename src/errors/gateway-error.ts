/**
 * The gateway's error: a string code saying what went wrong, a message a person can act on, the backend and tool it
 * concerns, and the cause kept. It never crosses the wire by itself: `to-wire.ts` maps it.
 */

/** What went wrong, as a string code that never crosses the wire by itself. */
export type GatewayErrorCode =
  | 'invalid_input'
  | 'invalid_config'
  | 'invalid_state'
  | 'invalid_name'
  | 'duplicate_server'
  | 'duplicate_request_id'
  | 'unknown_server'
  | 'unknown_tool'
  | 'ambiguous_tool'
  | 'unknown_prompt'
  | 'unknown_scenario'
  | 'resource_not_found'
  | 'backend_unavailable'
  | 'spawn_failed'
  | 'handshake_failed'
  | 'backend_exited'
  | 'timeout'
  | 'cancelled'
  | 'backend_error'
  | 'registration_denied'
  | 'self_reference'
  | 'no_session_for_request'
  | 'client_lacks_capability'
  | 'definition_changed'
  | 'limit_exceeded'
  | 'access_denied'
  | 'audit_unavailable'
  | 'cluster_unavailable'
  | 'internal';

/** Options for {@link GatewayError}. */
export interface GatewayErrorOptions {
  /**
   * The underlying failure, kept for logs and debugging. For `backend_error`, a `ProtocolError` cause is the
   * JSON-RPC error the backend answered with, which a forwarded request passes on as it is.
   */
  readonly cause?: unknown;
  /** The backend the error concerns, when there is one. */
  readonly backend?: string | undefined;
  /** The backend tool the error concerns, when there is one. */
  readonly tool?: string | undefined;
  /** Data sent with the JSON-RPC error the client gets (e.g. the URI of a resource not found). */
  readonly data?: unknown;
}

/** An error raised by the gateway, with a machine-readable code and the backend and tool it concerns. */
export class GatewayError extends Error {
  override readonly name = 'GatewayError';
  readonly backend: string | undefined;
  readonly tool: string | undefined;
  readonly data: unknown;

  constructor(
    readonly code: GatewayErrorCode,
    message: string,
    options: GatewayErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.backend = options.backend;
    this.tool = options.tool;
    this.data = options.data;
  }
}
