/**
 * The seam between the gateway (the MCP server clients talk to) and the backends it forwards to. The gateway owns
 * these interfaces; the backend registry satisfies them without knowing about the gateway.
 */
import type { CallToolResult, Progress, Tool } from '@modelcontextprotocol/sdk/types.js';

import type { ServerConfig } from '../config/schema.js';

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

/** One backend as the gateway sees it. */
export interface Upstream {
  readonly name: string;
  readonly state: UpstreamState;
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
}
