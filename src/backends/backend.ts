/**
 * One backend MCP server: an SDK Client over a child process, its lifecycle state and counters, and its
 * supervision (restart with backoff after a crash, optional health-check pings).
 */
import {
  getParseErrorMessage,
  safeParse,
  type AnyObjectSchema,
  type SchemaOutput,
} from '@modelcontextprotocol/sdk/server/zod-compat.js';
import {
  ErrorCode,
  McpError,
  type CallToolResult,
  type Progress,
  type ServerCapabilities,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';

import { GatewayError, plainMessage } from '../errors.js';
import type { Logger } from '../logger.js';
import { formatCommandLine, type BackendSpec } from './backend-spec.js';
import { BackendConnection, type BackendMessage, type ConnectionOptions } from './backend-connection.js';
import { restartDelayMs } from './restart-policy.js';
import { toCallToolResult } from './tool-result.js';

/** Where a backend is in its life. */
export type BackendState = 'starting' | 'ready' | 'failed' | 'stopped';

/** Options of one forwarded tool call. */
export interface BackendCallOptions {
  /** Aborting it cancels the backend request (`notifications/cancelled`). */
  readonly signal?: AbortSignal | undefined;
  /** When given, the backend is asked for progress and each notification is passed here, in arrival order. */
  readonly onProgress?: ((progress: Progress) => void) | undefined;
  /** `_meta` to pass along (the caller's progress token is replaced by the gateway's own). */
  readonly meta?: Readonly<Record<string, unknown>> | undefined;
  /** This call's timeout, in place of the backend's. */
  readonly timeoutMs?: number | undefined;
}

/** A snapshot of a backend for `list_servers`. */
export interface BackendInfo {
  readonly name: string;
  readonly state: BackendState;
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
  /** Lines on the backend's stdout that were not JSON-RPC and were skipped, on the current connection. */
  readonly skippedLines: number;
  readonly lastError: string | null;
}

/** What a backend tells its owner. */
export interface BackendEvents {
  /** The state or the tool list changed. */
  changed(): void;
  /** The backend sent a request of its own (sampling, elicitation, roots...): answer it or reject. */
  request(backend: string, request: BackendMessage, signal: AbortSignal): Promise<Record<string, unknown>>;
  /** The backend sent a notification (logging, resource updates, list changes of resources and prompts...). */
  notification(backend: string, notification: BackendMessage): void;
}

const NO_EVENTS: BackendEvents = {
  changed: () => undefined,
  request: (backend, request) =>
    Promise.reject(new Error(`backend "${backend}" asked ${request.method}, but nothing can answer it`)),
  notification: () => undefined,
};

/** Timing and limits shared by all backends of a registry. */
export interface BackendOptions extends Omit<ConnectionOptions, 'logger' | 'maxMessageBytes'> {
  /** Largest message accepted from a backend whose config sets no `maxMessageBytes`. */
  readonly maxMessageBytes: number;
  /** Per-call timeout when the backend's config sets none. */
  readonly defaultTimeoutMs: number;
  /** A call that keeps reporting progress is still cut off after this long. */
  readonly maxCallMs: number;
}

/** One running (or failed, or stopped) backend. */
export class Backend {
  private currentState: BackendState = 'starting';
  private connection: BackendConnection | undefined;
  private toolList: readonly Tool[] = [];
  private startedAt: number | undefined;
  private callCount = 0;
  private errorCount = 0;
  private restartCount = 0;
  private restartsInARow = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private nextRetryAt: number | undefined;
  private healthTimer: NodeJS.Timeout | undefined;
  private lastErrorMessage: string | undefined;
  private stopping = false;

  constructor(
    readonly spec: BackendSpec,
    private readonly options: BackendOptions,
    private readonly logger: Logger,
    private readonly events: BackendEvents = NO_EVENTS,
  ) {}

  get name(): string {
    return this.spec.name;
  }

  get state(): BackendState {
    return this.currentState;
  }

  /** Prefix of the names its tools and prompts are exposed under; "" for none. */
  get prefix(): string {
    return this.spec.prefix;
  }

  /** Which of its tools are exposed. */
  get toolFilter(): BackendSpec['toolFilter'] {
    return this.spec.toolFilter;
  }

  /** The backend's tools as it listed them, unchanged. */
  tools(): readonly Tool[] {
    return this.toolList;
  }

  /** The per-call timeout that applies to this backend. */
  get timeoutMs(): number {
    return this.spec.timeoutMs ?? this.options.defaultTimeoutMs;
  }

  /**
   * Spawns the process, completes the MCP handshake and lists the tools. On failure the process is gone, the state
   * is `failed`, and the error says why (exit code or signal and the last stderr lines, or the timeout). A first
   * start that fails is not retried: the restart policy applies to backends that crash after being ready.
   */
  async start(): Promise<void> {
    try {
      await this.connect();
    } catch (error) {
      throw this.fail(error as GatewayError);
    }
  }

  /**
   * Calls one of the backend's tools and returns its result unchanged (content, structuredContent, isError). The
   * timeout restarts on every progress notification, up to `maxCallMs` in all.
   */
  callTool(
    tool: string,
    args: Record<string, unknown>,
    options: BackendCallOptions = {},
  ): Promise<CallToolResult> {
    this.callCount += 1;
    return this.exchange(
      { method: 'tools/call', params: { name: tool, arguments: args } },
      toCallToolResult,
      options,
      { label: `${this.name}.${tool}`, tool },
    );
  }

  /**
   * Sends any request to the backend (resources, prompts, completion...) under the same rules as a tool call:
   * the backend must be ready, the call has a timeout (reset by progress), the caller's cancellation reaches the
   * backend, and a failure is a GatewayError naming the backend and what was asked.
   */
  request<T extends AnyObjectSchema>(
    request: { method: string; params?: Record<string, unknown> },
    resultSchema: T,
    options: BackendCallOptions = {},
  ): Promise<SchemaOutput<T>> {
    const parse = (result: Record<string, unknown>): SchemaOutput<T> => {
      const parsed = safeParse(resultSchema, result);
      if (!parsed.success) throw new Error(`invalid result: ${getParseErrorMessage(parsed.error)}`);
      return parsed.data;
    };
    return this.exchange(request, parse, options, { label: `${this.name} ${request.method}` });
  }

  /**
   * The one way a request reaches the backend: readiness, timeouts, cancellation, progress and error reporting,
   * then `check` turns the raw result into what the caller gets (a failure there is the backend's error too).
   */
  private async exchange<T>(
    request: { method: string; params?: Record<string, unknown> },
    check: (result: Record<string, unknown>) => T,
    options: BackendCallOptions,
    what: { label: string; tool?: string },
  ): Promise<T> {
    const connection = this.connection;
    const where = { server: this.name, tool: what.tool };
    if (this.currentState !== 'ready' || !connection) {
      throw new GatewayError(
        'backend_unavailable',
        `backend "${this.name}" is ${this.describeUnavailable()}`,
        where,
      );
    }
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    const callerSignal = options.signal;
    const cancelled = (): GatewayError => new GatewayError('cancelled', `${what.label} was cancelled`, where);
    if (callerSignal?.aborted) throw cancelled();
    // The caller's `_meta` goes along, but its progress token belongs to the caller's hop, not this one.
    const meta: Record<string, unknown> = options.meta === undefined ? {} : { ...options.meta };
    delete meta.progressToken;
    let token: string | undefined;
    let totalTimer: NodeJS.Timeout | undefined;
    const startedAt = Date.now();
    if (options.onProgress) {
      const relay = options.onProgress;
      token = connection.routeProgress((progress) => {
        // Progress keeps a call alive, but not past the hard maximum: a timer needed only once progress comes.
        totalTimer ??= setTimeout(
          timedOut,
          Math.max(this.options.maxCallMs, timeoutMs) - (Date.now() - startedAt),
        );
        idleTimer.refresh();
        relay(progress);
      });
      meta.progressToken = token;
    }
    const params = Object.keys(meta).length > 0 ? { ...request.params, _meta: meta } : request.params;
    const idleTimer = setTimeout(timedOut, timeoutMs);
    const sent = connection.send({ method: request.method, params });
    // Why the gateway ended the call, when it did: that, not the backend's silence, is what the caller hears.
    let stoppedBecause: GatewayError | undefined;
    const stop = (reason: GatewayError): void => {
      stoppedBecause ??= reason;
      sent.cancel(reason);
    };
    function timedOut(): void {
      stop(new GatewayError('timeout', `${what.label} timed out after ${timeoutMs} ms`, where));
    }
    const onCallerAbort = (): void => stop(cancelled());
    callerSignal?.addEventListener('abort', onCallerAbort, { once: true });
    try {
      return check(await sent.response);
    } catch (error) {
      this.errorCount += 1;
      throw stoppedBecause ?? this.describeCallFailure(connection, what, error);
    } finally {
      clearTimeout(idleTimer);
      clearTimeout(totalTimer);
      callerSignal?.removeEventListener('abort', onCallerAbort);
      if (token !== undefined) connection.unrouteProgress(token);
    }
  }

  /** Sends a notification to the backend (roots changed, cancellation of its own...); ignored unless ready. */
  async notify(notification: { method: string; params?: Record<string, unknown> }): Promise<void> {
    if (this.currentState !== 'ready' || !this.connection) return;
    await this.connection.client.notification(notification);
  }

  /** What the backend said it can do in its `initialize` answer, while connected. */
  capabilities(): ServerCapabilities | undefined {
    return this.currentState === 'ready' ? this.connection?.client.getServerCapabilities() : undefined;
  }

  /** Stops the backend for good: cancels a pending restart, closes the client and ends its process group. */
  async close(): Promise<void> {
    this.stopping = true;
    this.currentState = 'stopped';
    this.clearTimers();
    await this.connection?.close();
  }

  /** A snapshot for `list_servers`. */
  info(): BackendInfo {
    const ready = this.currentState === 'ready';
    return {
      name: this.name,
      state: this.currentState,
      description: this.spec.description,
      command: formatCommandLine(this.spec),
      pid: ready ? (this.connection?.pid ?? null) : null,
      uptimeMs: ready && this.startedAt !== undefined ? Date.now() - this.startedAt : null,
      toolCount: this.toolList.length,
      tools: this.toolList.map((tool) => tool.name),
      calls: this.callCount,
      errors: this.errorCount,
      restarts: this.restartCount,
      nextRetryAt: this.nextRetryAt === undefined ? null : new Date(this.nextRetryAt).toISOString(),
      skippedLines: this.connection?.skippedLines ?? 0,
      lastError: this.lastErrorMessage ?? null,
    };
  }

  /** Opens a new connection and makes it current; throws a GatewayError describing why it could not. */
  private async connect(): Promise<void> {
    this.currentState = 'starting';
    const connection: BackendConnection = new BackendConnection(
      this.spec,
      {
        ...this.options,
        maxMessageBytes: this.spec.maxMessageBytes ?? this.options.maxMessageBytes,
        logger: this.logger,
      },
      {
        onRequest: (request, signal) => this.events.request(this.name, request, signal),
        onNotification: (notification) => this.onNotification(connection, notification),
      },
    );
    this.connection = connection;
    this.logger.info('starting backend', { command: formatCommandLine(this.spec), cwd: this.spec.cwd });
    const tools = await connection.open(() => this.onConnectionLost(connection));
    if (this.stopping) {
      await connection.close();
      throw new GatewayError('backend_unavailable', `backend "${this.name}" was removed while starting`, {
        server: this.name,
      });
    }
    this.toolList = tools;
    this.startedAt = Date.now();
    this.currentState = 'ready';
    this.logger.info('backend ready', { pid: connection.pid, tools: tools.length });
    this.scheduleHealthCheck(connection);
    this.events.changed();
  }

  /** A backend's own list change refreshes its tools here; everything else goes up to the gateway. */
  private onNotification(connection: BackendConnection, notification: BackendMessage): void {
    if (notification.method === 'notifications/tools/list_changed') {
      void this.refreshTools(connection);
      return;
    }
    this.events.notification(this.name, notification);
  }

  private async refreshTools(connection: BackendConnection): Promise<void> {
    try {
      const tools = await connection.fetchTools();
      if (connection !== this.connection || this.currentState !== 'ready') return;
      this.toolList = tools;
      this.events.changed();
    } catch (error) {
      this.logger.warn('could not list tools after list_changed', { error: plainMessage(error) });
    }
  }

  /** The current connection ended without being asked to: fail, then restart if the policy allows. */
  private onConnectionLost(connection: BackendConnection): void {
    if (this.stopping || connection !== this.connection || this.currentState !== 'ready') return;
    this.clearTimers();
    this.currentState = 'failed';
    this.lastErrorMessage = `backend "${this.name}" ${connection.closeReason ?? 'closed its connection'}`;
    this.logger.warn('backend stopped unexpectedly', { reason: this.lastErrorMessage });
    const ranFor = Date.now() - (this.startedAt ?? Date.now());
    if (ranFor >= this.spec.restart.resetAfterMs) this.restartsInARow = 0;
    this.scheduleRestart();
    this.events.changed();
  }

  private scheduleRestart(): void {
    const policy = this.spec.restart;
    if (this.stopping || policy.maxAttempts === 0) return;
    if (this.restartsInARow >= policy.maxAttempts) {
      this.lastErrorMessage = `${this.lastErrorMessage ?? 'failed'}; gave up after ${this.restartsInARow} restart(s) in a row`;
      this.logger.error('backend not restarted again', { restarts: this.restartsInARow });
      return;
    }
    this.restartsInARow += 1;
    const delay = restartDelayMs(policy, this.restartsInARow);
    this.nextRetryAt = Date.now() + delay;
    this.logger.info(`restarting in ${delay} ms`, { attempt: this.restartsInARow, of: policy.maxAttempts });
    this.restartTimer = setTimeout(() => void this.restart(), delay);
    this.restartTimer.unref();
  }

  private async restart(): Promise<void> {
    this.restartTimer = undefined;
    this.nextRetryAt = undefined;
    if (this.stopping) return;
    this.restartCount += 1;
    this.events.changed();
    try {
      await this.connect();
      this.logger.info('backend restarted', { restarts: this.restartCount });
    } catch (error) {
      if (this.stopping) return;
      this.fail(error as GatewayError);
      this.scheduleRestart();
      this.events.changed();
    }
  }

  private scheduleHealthCheck(connection: BackendConnection): void {
    const check = this.spec.healthCheck;
    if (!check) return;
    this.healthTimer = setTimeout(() => {
      void connection.ping(check.timeoutMs).then((healthy) => {
        if (connection !== this.connection || this.currentState !== 'ready') return;
        if (healthy) {
          this.scheduleHealthCheck(connection);
          return;
        }
        this.logger.warn(`no answer to a health-check ping within ${check.timeoutMs} ms; restarting`);
        void connection.abandon(`did not answer a health-check ping within ${check.timeoutMs} ms`);
      });
    }, check.intervalMs);
    this.healthTimer.unref();
  }

  private clearTimers(): void {
    clearTimeout(this.restartTimer);
    clearTimeout(this.healthTimer);
    this.restartTimer = undefined;
    this.healthTimer = undefined;
    this.nextRetryAt = undefined;
  }

  private describeUnavailable(): string {
    const retry =
      this.nextRetryAt === undefined
        ? ''
        : ` (restart due in ${Math.max(0, this.nextRetryAt - Date.now())} ms)`;
    return `${this.currentState}${retry}${this.lastErrorMessage ? `: ${this.lastErrorMessage}` : ''}`;
  }

  private describeCallFailure(
    connection: BackendConnection,
    what: { label: string; tool?: string | undefined },
    error: unknown,
  ): Error {
    const where = { server: this.name, tool: what.tool, cause: error };
    if (connection.closeReason !== undefined && !this.stopping) {
      return new GatewayError(
        'backend_exited',
        `${what.label} failed: backend "${this.name}" ${connection.closeReason}`,
        where,
      );
    }
    if (this.stopping) {
      return new GatewayError(
        'backend_unavailable',
        `${what.label} failed: backend "${this.name}" was removed`,
        where,
      );
    }
    if (error instanceof McpError && error.code !== (ErrorCode.ConnectionClosed as number)) {
      return new GatewayError('backend_error', `${what.label} failed: ${plainMessage(error)}`, {
        ...where,
        rpcCode: error.code,
        rpcData: error.data,
      });
    }
    return new GatewayError('backend_error', `${what.label} failed: ${plainMessage(error)}`, where);
  }

  private fail(error: GatewayError): GatewayError {
    this.currentState = 'failed';
    this.lastErrorMessage = error.message;
    return error;
  }
}
