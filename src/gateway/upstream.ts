/**
 * The seam between the gateway (the MCP server clients talk to) and the backends it forwards to. The gateway owns
 * these interfaces; the backend registry satisfies them without knowing about the gateway.
 */
import type { AnyObjectSchema, SchemaOutput } from '@modelcontextprotocol/sdk/server/zod-compat.js';
import type { CallToolResult, Progress, ServerCapabilities, Tool } from '@modelcontextprotocol/sdk/types.js';

import type { ServerConfig } from '../backends/server-config.js';

/** Where a backend is in its life. */
export type UpstreamState = 'starting' | 'ready' | 'failed' | 'stopped';

/** Options of one forwarded call. */
export interface UpstreamCallOptions {
  /** Cancels the backend request when aborted. */
  readonly signal?: AbortSignal | undefined;
  /** Receives the backend's progress notifications in the order they arrive. */
  readonly onProgress?: ((progress: Progress) => void) | undefined;
  /** `_meta` of the caller's request, passed along. */
  readonly meta?: Readonly<Record<string, unknown>> | undefined;
  /** This call's timeout in milliseconds, in place of the backend's (a pipeline step's `timeoutMs`). */
  readonly timeoutMs?: number | undefined;
}

/** What `list_servers` shows of one backend. */
export interface UpstreamInfo {
  readonly name: string;
  readonly state: UpstreamState;
  readonly description: string;
  readonly command: string;
  readonly pid: number | null;
  readonly uptimeMs: number | null;
  readonly toolCount: number;
  readonly tools: readonly string[];
  readonly calls: number;
  readonly errors: number;
  /** Restart attempts since registration. */
  readonly restarts: number;
  /** When the next restart attempt is due (ISO 8601), while one is scheduled. */
  readonly nextRetryAt: string | null;
  /** Non-JSON-RPC lines the backend printed on stdout, skipped. */
  readonly skippedLines: number;
  readonly lastError: string | null;
}

/** A request or notification with its parameters, as sent to or received from a backend. */
export interface UpstreamMessage {
  readonly method: string;
  readonly params?: Record<string, unknown> | undefined;
}

/** Who answers the requests backends send on their own (sampling, elicitation, roots) and hears their notifications. */
export interface UpwardHandler {
  request(server: string, request: UpstreamMessage, signal: AbortSignal): Promise<Record<string, unknown>>;
  notification(server: string, notification: UpstreamMessage): void;
}

/** One backend as the gateway sees it. */
export interface Upstream {
  readonly name: string;
  readonly state: UpstreamState;
  /** Prefix of the names its tools and prompts are exposed under; "" for none. */
  readonly prefix: string;
  /** Which of its tools are exposed. */
  readonly toolFilter: { readonly allow?: readonly string[]; readonly deny?: readonly string[] } | undefined;
  /** Its capabilities, from its `initialize` answer, while ready. */
  capabilities(): ServerCapabilities | undefined;
  /** Sends any request under the same timeout, cancellation and error rules as a tool call. */
  request<T extends AnyObjectSchema>(
    request: UpstreamMessage,
    resultSchema: T,
    options?: UpstreamCallOptions,
  ): Promise<SchemaOutput<T>>;
  /** Sends a notification (ignored unless the backend is ready). */
  notify(notification: UpstreamMessage): Promise<void>;
  /** The per-call timeout that applies to this backend, in milliseconds. */
  readonly timeoutMs: number;
  /** The backend's tools, exactly as it listed them. */
  tools(): readonly Tool[];
  /** Calls a tool; rejects with a `GatewayError` naming the backend, the tool and the cause. */
  callTool(
    tool: string,
    args: Record<string, unknown>,
    options?: UpstreamCallOptions,
  ): Promise<CallToolResult>;
  /** A snapshot for `list_servers`. */
  info(): UpstreamInfo;
}

/** The set of backends, shared by every connection. */
export interface UpstreamDirectory {
  get(name: string): Upstream | undefined;
  list(): Upstream[];
  /** `a, b, c`, or `none`: for error messages that list what exists. */
  describeNames(): string;
  /** Starts a backend and completes its handshake; rejects with the reason it could not. */
  register(name: string, config: ServerConfig, options: { baseDir: string }): Promise<Upstream>;
  /** Stops and removes a backend; rejects for an unknown name. */
  remove(name: string): Promise<void>;
  /** Calls `listener` after a backend was added or removed, or changed state or tools. */
  on(event: 'changed', listener: () => void): unknown;
  /** Stops calling a `changed` listener. */
  off(event: 'changed', listener: () => void): unknown;
  /** Sets who answers what backends send on their own. */
  setUpwardHandler(handler: UpwardHandler): void;
}
