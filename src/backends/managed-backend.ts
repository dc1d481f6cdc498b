/**
 * One backend MCP server as the registry owns it: its lifecycle state and counters, its current connection, and
 * the supervisor that restarts it. Requests go through `request-exchange.ts`.
 */
import type { ZodType } from 'zod';

import type {
  CallToolResult,
  CreateTaskResult,
  ServerCapabilities,
  TaskMetadata,
  Tool,
} from '@modelcontextprotocol/server';
import { GatewayError } from '../errors/gateway-error.js';
import type { Logger } from '../logger.js';
import type { Backend, BackendCallOptions, BackendMessage } from '../shared/backend.js';
import type { BackendInfo, BackendState } from '../shared/backend-info.js';
import { formatCommandLine, type BackendSpec } from './backend-spec.js';
import { snapshotOf } from './backend-snapshot.js';
import { connectionOptions, type BackendEvents, type BackendOptions } from './backend-options.js';
import { BackendConnection } from './connection/connection.js';
import { exchangeInRounds, type AskClient } from './exchange/input-rounds.js';
import { parseWith } from './exchange/request-exchange.js';
import { unavailableError } from './describe-unavailable.js';
import { Supervisor } from './supervision.js';
import { ResourceSubscriptions } from './resource-subscriptions.js';
import { ToolList } from './tool-list.js';
import { callTool, startToolTask, type Exchanger } from './exchange/tool-call.js';

/** One running (or failed, or stopped) backend. */
export class ManagedBackend implements Backend {
  private currentState: BackendState = 'starting';
  private connection: BackendConnection | undefined;
  private readonly toolList = new ToolList();
  private startedAt: number | undefined;
  private callCount = 0;
  private errorCount = 0;
  private lastErrorMessage: string | undefined;
  private stopping = false;
  private readonly supervisor: Supervisor;
  /** Prefix of the names its tools and prompts are exposed under; "" for none. */
  readonly prefix: string;
  /** Which of its tools are exposed. */
  readonly toolFilter: BackendSpec['toolFilter'];
  readonly resources: ResourceSubscriptions;

  constructor(
    readonly spec: BackendSpec,
    private readonly options: BackendOptions,
    private readonly logger: Logger,
    private readonly events: BackendEvents,
  ) {
    if (spec.disabled) this.currentState = 'disabled';
    this.prefix = spec.prefix;
    this.toolFilter = spec.toolFilter;
    this.supervisor = new Supervisor(spec, {
      logger,
      isStopping: () => this.stopping,
      isCurrent: (connection) => connection === this.connection && this.currentState === 'ready',
      reconnect: () => this.connect(),
      failed: (error, note) => this.fail(error, note),
      changed: () => this.events.changed(),
    });
    this.resources = new ResourceSubscriptions(this.name, this.send, () => this.connection, logger);
  }

  get name(): string {
    return this.spec.name;
  }

  get state(): BackendState {
    return this.currentState;
  }

  /** The per-call timeout that applies to this backend. */
  get timeoutMs(): number {
    return this.spec.timeoutMs ?? this.options.defaultTimeoutMs;
  }

  /** The backend's tools as it listed them, unchanged. */
  tools(): readonly Tool[] {
    return this.toolList.all;
  }

  /**
   * Spawns the process, completes the MCP handshake and lists the tools. On failure the process is gone, the state
   * is `failed`, and the error says why (exit code or signal and the last stderr lines, or the timeout); with
   * `retry`, the restart policy then retries the start, as after a crash. A disabled backend is not started.
   */
  async start(options: { readonly retry?: boolean } = {}): Promise<void> {
    if (this.currentState === 'disabled') return;
    try {
      await this.connect();
    } catch (error) {
      if (this.stopping || this.state === 'disabled') throw error;
      // An entry that would start this gateway again is wrong until it is edited: retrying cannot help.
      const retry = options.retry === true && (error as GatewayError).code !== 'self_reference';
      this.fail(error as GatewayError, retry ? this.supervisor.startFailed() : undefined);
      throw error;
    }
  }

  /**
   * Starts the backend again, now: a ready one gets a new process (its calls in flight fail), a failed one a new
   * attempt, whatever its restart policy did so far. Rejects with the reason when the new start fails.
   */
  async restart(): Promise<void> {
    if (this.currentState === 'disabled' || this.stopping) throw this.unavailable();
    await this.dropConnection('starting');
    await this.start().catch((error: unknown) => {
      this.events.changed();
      throw error;
    });
  }

  /** Stops the backend (calls in flight fail) until {@link enable}; the config file is not written. */
  async disable(): Promise<void> {
    if (this.stopping) throw this.unavailable();
    if (this.currentState !== 'disabled') await this.dropConnection('disabled');
  }

  /** Starts a disabled backend (see {@link disable}), retried under its restart policy as at registration. */
  async enable(): Promise<void> {
    if (this.currentState !== 'disabled') return;
    await this.dropConnection('starting');
    await this.start({ retry: true }).finally(() => this.events.changed());
  }

  /** Ends the current connection (its calls in flight fail) and any pending restart, entering `state`. */
  private async dropConnection(state: 'starting' | 'disabled'): Promise<void> {
    this.supervisor.reset();
    const previous = this.connection;
    this.connection = undefined;
    this.currentState = state;
    this.events.changed();
    await previous?.close();
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
    return callTool(this.send, this.name, tool, args, options, this.toolList.runsOnlyAsTask(tool));
  }

  /** Calls a tool as the task the caller asked for; see `Backend.callToolAsTask`. */
  callToolAsTask(
    tool: string,
    args: Record<string, unknown>,
    task: TaskMetadata,
    options: BackendCallOptions = {},
  ): Promise<CreateTaskResult | CallToolResult> {
    // A backend that runs no tools as tasks is asked for a plain call, as a receiver that does not declare tasks
    // must treat a task-augmented one.
    if (this.capabilities()?.tasks?.requests?.tools?.call === undefined)
      return this.callTool(tool, args, options);
    this.callCount += 1;
    return startToolTask(this.send, `${this.name}.${tool}`, tool, args, task, options);
  }

  /**
   * Sends any request to the backend (resources, prompts, completion...) under the same rules as a tool call:
   * the backend must be ready, the call has a timeout (reset by progress), the caller's cancellation reaches the
   * backend, and a failure is a GatewayError naming the backend and what was asked.
   */
  request<T>(
    request: BackendMessage,
    resultSchema: ZodType<T>,
    options: BackendCallOptions = {},
  ): Promise<T> {
    return this.send(request, parseWith(resultSchema), options, {
      label: `${this.name} ${request.method}`,
    });
  }

  /** Sends a notification to the backend (roots changed...); ignored unless ready. */
  async notify(notification: BackendMessage): Promise<void> {
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
    this.supervisor.stop();
    await this.connection?.close();
  }

  /** A snapshot for `list_servers`. */
  info(): BackendInfo {
    const { currentState: state, connection, startedAt, supervisor } = this;
    return snapshotOf(
      this.spec,
      { state, connection, startedAt, supervisor, tools: this.toolList.all },
      {
        calls: this.callCount,
        errors: this.errorCount,
        lastError: this.lastErrorMessage ?? null,
      },
    );
  }

  /** Readiness, then the exchange; every failure counts as an error of this backend. */
  private readonly send: Exchanger = async (request, check, options, what) => {
    const connection = this.connection;
    try {
      if (this.currentState !== 'ready' || !connection) throw this.unavailable(what.tool);
      const context = {
        backend: this.name,
        connection,
        timeoutMs: this.timeoutMs,
        maxCallMs: this.options.maxCallMs,
        isStopping: () => this.stopping,
      };
      // What a 2026-07-28 backend asks the client goes up the way a 2025 backend's own requests go.
      const askClient: AskClient = (asked, signal) => this.events.request(this.name, asked, signal);
      return await exchangeInRounds(context, askClient, request, check, options, what);
    } catch (error) {
      this.errorCount += 1;
      throw error;
    }
  };

  /** Opens a new connection and makes it current; throws a GatewayError describing why it could not. */
  private async connect(): Promise<void> {
    this.currentState = 'starting';
    const connection: BackendConnection = new BackendConnection(
      this.spec,
      connectionOptions(this.spec, this.options, this.logger),
      {
        onRequest: (request, signal) => this.events.request(this.name, request, signal),
        onNotification: (notification) => this.onNotification(connection, notification),
      },
    );
    this.connection = connection;
    this.logger.info('starting backend', { command: formatCommandLine(this.spec), cwd: this.spec.cwd });
    const tools = await connection.open(() => this.onConnectionLost(connection));
    if (this.stopping || connection !== this.connection) {
      await connection.close();
      const why = this.stopping ? 'was removed while starting' : 'was restarted while starting';
      throw new GatewayError('backend_unavailable', `backend "${this.name}" ${why}`, { backend: this.name });
    }
    this.toolList.set(tools, connection.protocolEra.kind);
    this.startedAt = Date.now();
    this.currentState = 'ready';
    this.logger.info('backend ready', { pid: connection.pid, tools: tools.length });
    this.supervisor.watch(connection);
    await this.resources.restore(connection);
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
    const current = (): boolean => connection === this.connection && this.currentState === 'ready';
    if (await this.toolList.refresh(connection, current, this.logger)) this.events.changed();
  }

  /** The current connection ended without being asked to: fail, then restart if the policy allows. */
  private onConnectionLost(connection: BackendConnection): void {
    if (this.stopping || connection !== this.connection || this.currentState !== 'ready') return;
    this.currentState = 'failed';
    const reason = `backend "${this.name}" ${connection.closeReason ?? 'closed its connection'}`;
    this.lastErrorMessage = reason;
    this.logger.warn('backend stopped unexpectedly', { reason });
    const gaveUp = this.supervisor.connectionLost(Date.now() - (this.startedAt ?? Date.now()));
    if (gaveUp !== undefined) this.lastErrorMessage = `${reason}; ${gaveUp}`;
    this.events.changed();
  }

  /** Why a request cannot reach the backend now. */
  private unavailable(tool?: string): GatewayError {
    const { name, currentState, lastErrorMessage, supervisor } = this;
    return unavailableError(name, currentState, lastErrorMessage, supervisor.nextRetryAt, tool);
  }

  private fail(error: GatewayError, note?: string): void {
    this.currentState = 'failed';
    this.lastErrorMessage = note === undefined ? error.message : `${error.message}; ${note}`;
  }
}
