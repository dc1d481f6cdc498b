/**
 * One backend MCP server as the registry owns it: its lifecycle state and counters, its current connection, and
 * the supervisor that restarts it. Requests go through `request-exchange.ts`.
 */
import type { Tool } from '@modelcontextprotocol/server';
import { GatewayError } from '../errors/gateway-error.js';
import type { Logger } from '../logger.js';
import type { Backend, BackendMessage } from '../shared/backend.js';
import type { BackendInfo, BackendState } from '../shared/backend-info.js';
import { formatCommandLine, type BackendSpec } from './backend-spec.js';
import { snapshotOf } from './backend-snapshot.js';
import { connectionOptions, type BackendEvents, type BackendOptions } from './backend-options.js';
import { BackendConnection } from './connection/connection.js';
import { exchangeInRounds, type AskClient } from './exchange/input-rounds.js';
import { DISABLED_ON_REQUEST, unavailableError } from './describe-unavailable.js';
import { Supervisor } from './supervision.js';
import { ResourceSubscriptions } from './resource-subscriptions.js';
import type { Exchanger } from './exchange/tool-call.js';
import { BackendRequests } from './backend-requests.js';
import { authorizationOf, type BackendAuthorization } from './oauth/backend-authorization.js';
import { principalConnectionsOf, type PrincipalConnections } from './principals/principal-connections.js';

/** One running (or failed, or stopped) backend. */
export class ManagedBackend extends BackendRequests implements Backend {
  private currentState: BackendState = 'starting';
  private connection: BackendConnection | undefined;
  private startedAt: number | undefined;
  private lastErrorMessage: string | undefined;
  private stopping = false;
  private readonly supervisor: Supervisor;
  /** Present for a remote backend that may ask for OAuth. */
  private readonly authorization: BackendAuthorization | undefined;
  /** Present when each principal connects as itself (`oauth.perPrincipal`). */
  private readonly principals: PrincipalConnections | undefined;
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
    super();
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
    this.authorization = authorizationOf(spec, options.oauth, logger, {
      needed: () => this.awaitAuthorization(),
      authorized: () => this.startAfresh(),
      ask: (asked, signal) => this.events.request(this.name, asked, signal),
      notify: (notification) => this.events.notification(this.name, notification),
    });
    this.principals = principalConnectionsOf({ spec, options, logger, events });
    const perPrincipal = this.principals !== undefined;
    this.resources = new ResourceSubscriptions(
      this.name,
      this.send,
      () => this.connection,
      logger,
      perPrincipal,
    );
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
      // Nor can it while a person has to authorize the gateway: the callback starts it.
      const retry =
        options.retry === true &&
        (error as GatewayError).code !== 'self_reference' &&
        this.authorization?.url === undefined;
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
    await Promise.all([this.dropConnection('starting', this.lastErrorMessage), this.principals?.reset()]);
    await this.start().catch((error: unknown) => {
      this.events.changed();
      throw error;
    });
  }

  /** Stops the backend (calls in flight fail) until {@link enable}; the config file is not written. */
  async disable(): Promise<void> {
    if (this.stopping) throw this.unavailable();
    if (this.currentState !== 'disabled') await this.dropConnection('disabled', DISABLED_ON_REQUEST);
  }

  /** Starts a disabled backend (see {@link disable}), retried under its restart policy as at registration. */
  async enable(): Promise<void> {
    if (this.currentState === 'disabled') await this.startAfresh();
  }

  /** A new connection, retried under the restart policy (after `enable`, or once a person authorized). */
  private async startAfresh(): Promise<void> {
    if (this.stopping) return;
    await this.dropConnection('starting', undefined);
    await this.start({ retry: true }).finally(() => this.events.changed());
  }

  /** Ends the current connection (its calls in flight fail) and any pending restart, entering `state`. */
  private async dropConnection(
    state: 'starting' | 'disabled' | 'needs_authorization',
    lastError: string | undefined,
  ): Promise<void> {
    this.lastErrorMessage = lastError;
    this.supervisor.reset();
    const previous = this.connection;
    this.connection = undefined;
    this.currentState = state;
    this.events.changed();
    await previous?.close();
  }

  /** Stops the backend for good: cancels a pending restart, closes the client and ends its process group. */
  async close(): Promise<void> {
    this.stopping = true;
    this.currentState = 'stopped';
    this.supervisor.stop();
    this.authorization?.close();
    await Promise.all([this.connection?.close(), this.principals?.close()]);
  }

  /** A snapshot for `list_servers`; with per-principal connections, as `principal` sees it. */
  info(principal?: string): BackendInfo {
    const { currentState: state, connection, startedAt, supervisor } = this;
    const authorizationUrl = state === 'needs_authorization' ? this.authorization?.url : undefined;
    const info = snapshotOf(
      this.spec,
      { state, connection, startedAt, supervisor, tools: this.toolList.all, authorizationUrl },
      { calls: this.callCount, errors: this.errorCount, lastError: this.lastErrorMessage ?? null },
    );
    return this.principals ? this.principals.view(info, principal) : info;
  }

  protected currentConnection(): BackendConnection | undefined {
    return this.connection;
  }

  /** Readiness, then the exchange; every failure counts as an error of this backend. */
  protected readonly send: Exchanger = async (request, check, options, what) => {
    try {
      // A principal's request goes over its own connection, whatever the state of the backend's own.
      const { principal } = options;
      if (this.principals && principal !== undefined) {
        return await this.principals.use(principal, request.method, options.signal, what.tool, (connection) =>
          this.exchangeOver(connection, principal)(request, check, options, what),
        );
      }
      if (this.currentState === 'needs_authorization')
        await this.authorization?.authorizeCall(options.signal);
      const connection = this.connection;
      if (this.currentState !== 'ready' || !connection) throw this.unavailable(what.tool);
      return await this.exchangeOver(connection, undefined)(request, check, options, what);
    } catch (error) {
      this.errorCount += 1;
      throw error;
    }
  };

  /** Exchanges over `connection`; what the backend asks meanwhile goes to `principal`'s sessions, or the caller's. */
  private exchangeOver(connection: BackendConnection, principal: string | undefined): Exchanger {
    const context = {
      backend: this.name,
      connection,
      timeoutMs: this.timeoutMs,
      maxCallMs: this.options.maxCallMs,
      isStopping: () => this.stopping,
    };
    // What a 2026-07-28 backend asks the client goes up the way a 2025 backend's own requests go.
    const askClient: AskClient = (asked, signal) => this.events.request(this.name, asked, signal, principal);
    return (request, check, options, what) =>
      exchangeInRounds(context, askClient, request, check, options, what);
  }

  /** Opens a new connection and makes it current; throws a GatewayError describing why it could not. */
  private async connect(): Promise<void> {
    this.currentState = 'starting';
    const authProvider = await this.authorization?.provider();
    const connection: BackendConnection = new BackendConnection(
      this.spec,
      { ...connectionOptions(this.spec, this.options, this.logger), authProvider },
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
    const waiting = this.authorization?.describe();
    if (waiting !== undefined) {
      // No retry helps until a person authorizes: the callback starts the backend again.
      this.supervisor.stop();
      this.currentState = 'needs_authorization';
      this.lastErrorMessage = waiting;
      return;
    }
    this.currentState = 'failed';
    this.lastErrorMessage = note === undefined ? error.message : `${error.message}; ${note}`;
  }

  /** A person must authorize a backend in use (its tokens were refused): calls wait or fail until then. */
  private awaitAuthorization(): void {
    if (this.currentState !== 'ready') return;
    void this.dropConnection('needs_authorization', this.authorization?.describe());
  }
}
