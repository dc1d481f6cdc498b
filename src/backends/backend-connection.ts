/**
 * One connection to a backend: its child process, the SDK Client over it, and the progress routes of the calls
 * in flight. A backend that restarts gets a new connection; an old one never comes back.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  ErrorCode,
  McpError,
  type JSONRPCMessage,
  type Progress,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';

import { GatewayError, plainMessage } from '../errors.js';
import { GATEWAY_NAME, GATEWAY_VERSION } from '../version.js';
import { buildChildEnv, formatCommandLine, type BackendSpec } from './backend-spec.js';
import { ChildTransport, type ChildTransportOptions } from './child-transport.js';
import { InterceptingTransport } from './intercepting-transport.js';

/** A message a backend sends to the gateway on its own: a request (sampling, elicitation, roots) or a notification. */
export interface BackendMessage {
  readonly method: string;
  readonly params?: Record<string, unknown> | undefined;
}

/** Where a connection sends what its backend asks or announces. */
export interface ConnectionHooks {
  /** Answers a request from the backend; rejecting sends the backend a JSON-RPC error. */
  onRequest(request: BackendMessage, signal: AbortSignal): Promise<Record<string, unknown>>;
  /** Receives a notification from the backend (progress of forwarded calls excepted). */
  onNotification(notification: BackendMessage): void;
}

/**
 * What the gateway tells every backend it can do: it passes these requests on to the client whose call is in
 * flight, and answers with an error when that client cannot.
 */
const GATEWAY_CLIENT_CAPABILITIES = { sampling: {}, elicitation: {}, roots: { listChanged: true } };

/** Limits and timings of a connection. */
export interface ConnectionOptions extends ChildTransportOptions {
  /** How long `initialize` plus `tools/list` may take. */
  readonly handshakeTimeoutMs: number;
}

let nextProgressToken = 0;

/** A request the gateway sent on the transport itself (see {@link BackendConnection.send}). */
export interface SentRequest {
  /** The backend's `result`, unparsed. */
  readonly response: Promise<Record<string, unknown>>;
  /** Gives up on the request: the backend is told, and `response` rejects with `reason`. */
  cancel(reason: Error): void;
}

function refused(error: Error): SentRequest {
  const response = Promise.reject(error);
  return { response, cancel: () => undefined };
}

/** A request the gateway sent on the transport itself, waiting for its response. */
interface PendingRequest {
  resolve(result: Record<string, unknown>): void;
  reject(error: Error): void;
}

/**
 * A backend speaking MCP with the gateway as its client: a child process over stdio, or a remote server over
 * Streamable HTTP (falling back to the older SSE transport).
 */
export class BackendConnection {
  /** Present for a local backend. */
  private readonly child: ChildTransport | undefined;
  private transport: Transport | undefined;
  private currentClient: Client;
  private readonly progressRoutes = new Map<string, (progress: Progress) => void>();
  private readonly pending = new Map<string, PendingRequest>();
  private nextRequestId = 0;
  private reason: string | undefined;
  private abandonedBecause: string | undefined;
  private deliberate = false;

  constructor(
    private readonly spec: BackendSpec,
    private readonly options: ConnectionOptions,
    private readonly hooks: ConnectionHooks,
  ) {
    this.child =
      spec.url === undefined
        ? new ChildTransport(
            {
              command: spec.command,
              args: spec.args,
              env: buildChildEnv(spec.env, spec.inheritEnv),
              cwd: spec.cwd,
            },
            options,
          )
        : undefined;
    this.currentClient = this.createClient();
  }

  /** The SDK client speaking to the backend. */
  get client(): Client {
    return this.currentClient;
  }

  /** The child's pid once spawned (none for a remote backend). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Non-JSON-RPC stdout lines skipped so far. */
  get skippedLines(): number {
    return this.child?.skippedLines ?? 0;
  }

  /** Why the connection ended (`exited with code 1; last stderr lines: ...`), once it has. */
  get closeReason(): string | undefined {
    return this.reason;
  }

  /**
   * Spawns the process (or reaches the remote server), completes the handshake and lists the tools. `onLost` is
   * called if the connection later ends without `close()`. Rejects with a GatewayError saying why, leaving no
   * process behind.
   */
  async open(onLost: () => void): Promise<Tool[]> {
    const onclose = (): void => {
      this.reason ??= this.describeEnd();
      this.rejectPending();
      if (!this.deliberate) onLost();
    };
    try {
      if (this.child) await this.openChild(this.child, onclose);
      else await this.openRemote(this.spec.url ?? '', onclose);
      return await this.fetchTools();
    } catch (error) {
      if (error instanceof GatewayError) throw error;
      // Described before closing: closing ends the process, which would then look like its own exit.
      const failure = this.describeStartFailure(error);
      await this.close();
      throw failure;
    }
  }

  private async openChild(child: ChildTransport, onclose: () => void): Promise<void> {
    try {
      await child.start();
    } catch (error) {
      this.reason = 'could not start';
      throw new GatewayError(
        'spawn_failed',
        `backend "${this.spec.name}" could not start: ${describeSpawnError(error, this.spec)}`,
        { server: this.spec.name, cause: error },
      );
    }
    this.transport = child;
    this.currentClient.onclose = onclose;
    await this.currentClient.connect(this.intercept(child, true), {
      timeout: this.options.handshakeTimeoutMs,
    });
  }

  /** Streamable HTTP first; a server that does not speak it (an older SSE-only server) gets a second try over SSE. */
  private async openRemote(url: string, onclose: () => void): Promise<void> {
    const requestInit = { headers: { ...this.spec.headers } };
    const streamable = new StreamableHTTPClientTransport(new URL(url), { requestInit });
    this.transport = streamable;
    try {
      await this.currentClient.connect(this.intercept(streamable), {
        timeout: this.options.handshakeTimeoutMs,
      });
    } catch (streamableError) {
      this.options.logger.info('Streamable HTTP failed; trying SSE', {
        error: plainMessage(streamableError),
      });
      await this.currentClient.close().catch(() => undefined);
      this.currentClient = this.createClient();
      const sse = new SSEClientTransport(new URL(url), {
        requestInit,
        eventSourceInit: { fetch: withHeaders(this.spec.headers) },
      });
      this.transport = sse;
      try {
        await this.currentClient.connect(this.intercept(sse), { timeout: this.options.handshakeTimeoutMs });
      } catch (sseError) {
        throw new Error(
          `neither Streamable HTTP (${plainMessage(streamableError)}) nor SSE (${plainMessage(sseError)}) worked`,
          { cause: sseError },
        );
      }
    }
    this.currentClient.onclose = onclose;
  }

  private intercept(transport: Transport, started = false): Transport {
    return new InterceptingTransport(transport, (message) => this.interceptMessage(message), started);
  }

  private createClient(): Client {
    const client = new Client(
      { name: GATEWAY_NAME, version: GATEWAY_VERSION },
      { capabilities: GATEWAY_CLIENT_CAPABILITIES },
    );
    // Everything the backend asks or announces that the SDK does not handle itself (ping, cancellation, progress)
    // goes to the gateway, whatever the method: a proxy forwards what it does not know too.
    client.fallbackRequestHandler = (request, extra) =>
      this.hooks.onRequest({ method: request.method, params: request.params }, extra.signal);
    client.fallbackNotificationHandler = (notification) => {
      this.hooks.onNotification({ method: notification.method, params: notification.params });
      return Promise.resolve();
    };
    return client;
  }

  /** Registers a progress relay and returns the token to send as `_meta.progressToken`. */
  routeProgress(relay: (progress: Progress) => void): string {
    const token = `${this.spec.name}-${++nextProgressToken}`;
    this.progressRoutes.set(token, relay);
    return token;
  }

  /** Forgets a progress relay once its call is over. */
  unrouteProgress(token: string): void {
    this.progressRoutes.delete(token);
  }

  /**
   * Sends a request straight on the transport; its `response` resolves with the `result` the backend sent,
   * unparsed: the forwarding hot path, which the SDK Client would validate with a schema on every call. Callers
   * check what they rely on. A JSON-RPC error rejects as an `McpError` with the backend's code, message and data.
   * `cancel` tells the backend (`notifications/cancelled`) and rejects with the reason given. Ids are strings
   * (`gw-N`), so they never meet the numeric ids of the SDK Client on the same connection.
   */
  send(request: BackendMessage): SentRequest {
    const transport = this.transport;
    if (!transport || this.reason !== undefined) {
      return refused(new McpError(ErrorCode.ConnectionClosed, 'Connection closed'));
    }
    const id = `gw-${++this.nextRequestId}`;
    let pending!: PendingRequest;
    const response = new Promise<Record<string, unknown>>((resolve, reject) => {
      pending = { resolve, reject };
    });
    this.pending.set(id, pending);
    const message = request.params === undefined ? { method: request.method } : request;
    transport.send({ jsonrpc: '2.0', id, ...message }).catch((error: unknown) => {
      if (this.pending.delete(id)) pending.reject(error as Error);
    });
    const cancel = (reason: Error): void => {
      if (!this.pending.delete(id)) return;
      transport
        .send({
          jsonrpc: '2.0',
          method: 'notifications/cancelled',
          params: { requestId: id, reason: plainMessage(reason) },
        })
        .catch(() => undefined);
      pending.reject(reason);
    };
    return { response, cancel };
  }

  /** Resolves true when the backend answers a ping within `timeoutMs`. */
  async ping(timeoutMs: number): Promise<boolean> {
    try {
      await this.client.ping({ timeout: timeoutMs });
      return true;
    } catch {
      return false;
    }
  }

  /** Ends a connection that misbehaves; the owner is told through `onLost`, with `reason`. */
  async abandon(reason: string): Promise<void> {
    this.abandonedBecause = reason;
    this.reason = reason;
    await (this.child ?? this.transport)?.close();
  }

  /** Ends the connection on purpose: `onLost` is not called. Idempotent. */
  async close(): Promise<void> {
    this.deliberate = true;
    try {
      if (this.transport instanceof StreamableHTTPClientTransport) {
        // Tell a remote server the session is over; one that does not support it answers 405, which is fine.
        await this.transport.terminateSession().catch(() => undefined);
      }
      await this.currentClient.close();
    } finally {
      await this.child?.close();
    }
  }

  /** Lists the backend's tools again (after it announced a change). */
  async fetchTools(): Promise<Tool[]> {
    if (!this.client.getServerCapabilities()?.tools) return [];
    const tools: Tool[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.client.listTools(cursor === undefined ? {} : { cursor }, {
        timeout: this.options.handshakeTimeoutMs,
      });
      tools.push(...page.tools);
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    return tools;
  }

  /**
   * Takes the responses to {@link send}'s requests, and relays progress in the order the transport delivers it,
   * before the response that may follow in the same read. Everything else goes on to the SDK Client.
   */
  private interceptMessage(message: JSONRPCMessage): boolean {
    if (!('method' in message)) return this.settle(message);
    if (message.method !== 'notifications/progress' || 'id' in message) return false;
    const params = message.params as (Progress & { progressToken?: unknown }) | undefined;
    const route =
      typeof params?.progressToken === 'string' ? this.progressRoutes.get(params.progressToken) : undefined;
    if (!route || !params) return false;
    const { progressToken: _token, ...progress } = params;
    route(progress);
    return true;
  }

  /** Settles the pending request a response answers; false when it answers none of them (the Client's own). */
  private settle(response: JSONRPCMessage): boolean {
    const id = (response as { id?: unknown }).id;
    const pending = typeof id === 'string' ? this.pending.get(id) : undefined;
    if (pending === undefined || typeof id !== 'string') return false;
    this.pending.delete(id);
    const { result, error } = response as { result?: unknown; error?: unknown };
    if (isObject(error)) {
      const code = typeof error.code === 'number' ? error.code : ErrorCode.InternalError;
      const text = typeof error.message === 'string' ? error.message : 'unknown error';
      pending.reject(new McpError(code, text, error.data));
    } else if (isObject(result)) {
      pending.resolve(result);
    } else {
      pending.reject(new Error('the backend sent a response with neither a result object nor an error'));
    }
    return true;
  }

  private rejectPending(): void {
    const closed = new McpError(ErrorCode.ConnectionClosed, 'Connection closed');
    for (const pending of this.pending.values()) pending.reject(closed);
    this.pending.clear();
  }

  private describeStartFailure(error: unknown): GatewayError {
    const where = { server: this.spec.name, cause: error };
    const command = `(command: ${formatCommandLine(this.spec)})`;
    if (this.child?.exit || this.child?.failure) {
      return new GatewayError(
        'handshake_failed',
        `backend "${this.spec.name}" ${this.describeCause()} before completing the MCP handshake ${command}${this.stderrSuffix()}`,
        where,
      );
    }
    const timedOut = error instanceof McpError && error.code === (ErrorCode.RequestTimeout as number);
    const reason = timedOut
      ? `did not complete the MCP handshake within ${this.options.handshakeTimeoutMs} ms`
      : `failed during the MCP handshake: ${plainMessage(error)}`;
    return new GatewayError(
      'handshake_failed',
      `backend "${this.spec.name}" ${reason} ${command}${this.stderrSuffix()}`,
      where,
    );
  }

  private describeEnd(): string {
    return `${this.abandonedBecause ?? this.describeCause()}${this.stderrSuffix()}`;
  }

  private describeCause(): string {
    const failure = this.child?.failure;
    if (failure) return `was stopped: ${failure.message}`;
    if (!this.child) return 'closed its connection';
    const exit = this.child.exit;
    if (!exit) return 'closed its connection';
    return exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code ?? 'unknown'}`;
  }

  private stderrSuffix(): string {
    const last = this.child?.recentStderr().slice(-10) ?? [];
    return last.length > 0 ? `; last stderr lines:\n${last.map((line) => `  ${line}`).join('\n')}` : '';
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A fetch that adds `headers`: the SSE transport's event stream does not take `requestInit` headers. */
function withHeaders(headers: Readonly<Record<string, string>>): typeof fetch {
  return (input, init) =>
    fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), ...headers } });
}

function describeSpawnError(error: unknown, spec: BackendSpec): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return `command "${spec.command}" was not found (cwd: ${spec.cwd})`;
  if (code === 'EACCES') return `command "${spec.command}" is not executable`;
  return plainMessage(error);
}
