/**
 * The seam between the gateway (the MCP server clients talk to) and the backends it forwards to. Both sides import
 * these types; neither imports the other. The backend registry satisfies them without knowing about the gateway.
 */
import type { ZodType } from 'zod';

import type {
  CallToolResult,
  ClientCapabilities,
  CreateTaskResult,
  LoggingLevel,
  Progress,
  ServerCapabilities,
  TaskMetadata,
  Tool,
} from '@modelcontextprotocol/server';
import type { ServerConfig } from '../backends/server-config.js';
import type { BackendInfo, BackendState, ClusterStatusSource } from './backend-info.js';
import type { ToolFilter } from './tool-filter.js';

/**
 * Whether a `tools/call` result is the task the backend created (2025-11-25 task augmentation, see
 * {@link Backend.callToolAsTask}) rather than the tool's result: a `task` object with a string `taskId`.
 */
export function isCreateTaskResult(result: object): result is CreateTaskResult {
  const { task } = result as { task?: unknown };
  return (
    typeof task === 'object' && task !== null && typeof (task as { taskId?: unknown }).taskId === 'string'
  );
}

/** Options of one forwarded request. */
export interface BackendCallOptions {
  /** Cancels the backend request when aborted (`notifications/cancelled`). */
  readonly signal?: AbortSignal | undefined;
  /** Receives the backend's progress notifications in the order they arrive; the backend is asked for progress. */
  readonly onProgress?: ((progress: Progress) => void) | undefined;
  /** `_meta` of the caller's request, passed along (the caller's progress token replaced by the gateway's own). */
  readonly meta?: Readonly<Record<string, unknown>> | undefined;
  /** This call's timeout in milliseconds, in place of the backend's (a pipeline step's `timeoutMs`). */
  readonly timeoutMs?: number | undefined;
  /**
   * Set when the caller is a 2026-07-28 client, which answers a backend's `input_required` itself: its retry's
   * `inputResponses` and `requestState` (the backend's) go with the request, and an `input_required` result comes
   * back as it is instead of being answered by the gateway.
   */
  readonly inputRound?: InputRound | undefined;
  /**
   * What the calling client can do: a 2026-07-28 backend is told it in the request's envelope, so that it asks only
   * for what that client can answer (the gateway routes every such request to it).
   */
  readonly clientCapabilities?: ClientCapabilities | undefined;
  /**
   * The request waits for work that takes its time (`tasks/result` of a task still running): it is bounded by the
   * backend's hard maximum per call rather than by its per-call timeout.
   */
  readonly waits?: boolean | undefined;
  /**
   * The log messages the caller wants: a 2026-07-28 backend is asked for them in the request's envelope (`off`:
   * none). A 2025 backend sends what its session's level lets through.
   */
  readonly logLevel?: LoggingLevel | 'off' | undefined;
  /**
   * Who the caller is (its session's principal): a backend that connects per principal (`oauth.perPrincipal`)
   * sends the request over that principal's own connection, with its own tokens. Ignored by every other backend.
   */
  readonly principal?: string | undefined;
}

/** What a 2026-07-28 client's retry of a request carries for the backend that asked for input. */
export interface InputRound {
  readonly inputResponses?: Readonly<Record<string, unknown>> | undefined;
  readonly requestState?: string | undefined;
}

/** A request or notification with its parameters, as sent to or received from a backend. */
export interface BackendMessage {
  readonly method: string;
  readonly params?: Record<string, unknown> | undefined;
}

/** Who answers the requests backends send on their own (sampling, elicitation, roots) and hears their notifications. */
export interface UpwardHandler {
  /**
   * Answers a backend's request; a rejection goes back to the backend as a JSON-RPC error. With `principal` (the
   * request came over that principal's own connection), only a session of that principal may be asked.
   */
  request(
    backend: string,
    request: BackendMessage,
    signal: AbortSignal,
    principal?: string,
  ): Promise<Record<string, unknown>>;
  /**
   * Receives a backend's notification (progress of forwarded calls excepted: it goes with its call). With
   * `principal`, it reaches only that principal's sessions.
   */
  notification(backend: string, notification: BackendMessage, principal?: string): void;
}

/**
 * A backend's resource subscriptions, each held by one or more sessions: the backend hears of a resource once, and
 * stops hearing of it when its last holder unsubscribes or ends (`release`).
 */
export interface BackendSubscriptions {
  subscribe(uri: string, holder: object, options?: BackendCallOptions): Promise<void>;
  unsubscribe(uri: string, holder: object, options?: BackendCallOptions): Promise<void>;
  /** Lets go of everything `holder` held (its session ended). */
  release(holder: object): void;
}

/** One backend as the gateway sees it. */
export interface Backend {
  readonly name: string;
  readonly state: BackendState;
  /** Prefix of the names its tools and prompts are exposed under; "" for none. */
  readonly prefix: string;
  /** Which of its tools are exposed. */
  readonly toolFilter: ToolFilter | undefined;
  /** The per-call timeout that applies to this backend, in milliseconds. */
  readonly timeoutMs: number;
  /** Its capabilities, from its `initialize` answer, while ready. */
  capabilities(): ServerCapabilities | undefined;
  /** The backend's tools, exactly as it listed them. */
  tools(): readonly Tool[];
  /**
   * Calls a tool; rejects with a `GatewayError` naming the backend, the tool and the cause. A tool that runs only as
   * a task (`execution.taskSupport: "required"`) is run as one, and its result awaited.
   */
  callTool(
    tool: string,
    args: Record<string, unknown>,
    options?: BackendCallOptions,
  ): Promise<CallToolResult>;
  /**
   * Calls a tool as a task (2025-11-25): the backend answers with the task it created (`CreateTaskResult`, its own
   * task id), or with the tool's result when it ran the call at once.
   */
  callToolAsTask(
    tool: string,
    args: Record<string, unknown>,
    task: TaskMetadata,
    options?: BackendCallOptions,
  ): Promise<CreateTaskResult | CallToolResult>;
  /** Sends any request under the same timeout, cancellation and error rules as a tool call. */
  request<T>(request: BackendMessage, resultSchema: ZodType<T>, options?: BackendCallOptions): Promise<T>;
  /** Sends a notification (ignored unless the backend is ready). */
  notify(notification: BackendMessage): Promise<void>;
  /** The resources sessions subscribed to on this backend. */
  readonly resources: BackendSubscriptions;
  /**
   * A snapshot for `list_servers`. With `principal`, a backend that connects per principal shows that principal's
   * own authorization (`needs_authorization` and its URL, until it authorized); never another principal's.
   */
  info(principal?: string): BackendInfo;
}

/** The set of backends, shared by every client connection. */
export interface BackendDirectory {
  get(name: string): Backend | undefined;
  /** Every backend, in registration order. */
  list(): Backend[];
  /** `a, b, c`, or `none`: for error messages that list what exists. */
  describeNames(): string;
  /** Starts a backend and completes its handshake; rejects with the reason it could not. */
  register(name: string, config: ServerConfig, options: { baseDir: string }): Promise<Backend>;
  /** Stops and removes a backend; rejects for an unknown name. */
  remove(name: string): Promise<void>;
  /**
   * Starts a backend again now: a new process for a ready one, a new attempt for a failed one. Rejects for an
   * unknown or disabled backend, or with the reason the new start failed.
   */
  restart(name: string): Promise<Backend>;
  /** Each replica's state of the servers named, read now: present when a cluster shares the directory. */
  readonly clusterStatus?: ClusterStatusSource | undefined;
  /** Calls `listener` after a backend was added or removed, or changed state or tools. */
  on(event: 'changed', listener: () => void): unknown;
  /** Stops calling a `changed` listener. */
  off(event: 'changed', listener: () => void): unknown;
  /**
   * Makes `handler` answer what backends send on their own; returns the function that detaches it. A directory
   * serves one gateway: attaching a second handler while one is attached throws.
   */
  attachUpwardHandler(handler: UpwardHandler): () => void;
}
