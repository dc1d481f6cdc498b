/**
 * One backend MCP server: an SDK Client over a child process, plus its lifecycle state and counters.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  CallToolResultSchema,
  ErrorCode,
  McpError,
  type CallToolResult,
  type JSONRPCMessage,
  type Progress,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';

import { GatewayError, plainMessage } from '../errors.js';
import type { Logger } from '../logger.js';
import { GATEWAY_NAME, GATEWAY_VERSION } from '../version.js';
import { buildChildEnv, formatCommandLine, type BackendSpec } from './backend-spec.js';
import { ChildTransport, type ChildTransportOptions } from './child-transport.js';
import { InterceptingTransport } from './intercepting-transport.js';

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
  readonly lastError: string | null;
}

/** Timing and limits shared by all backends of a registry. */
export interface BackendOptions extends Omit<ChildTransportOptions, 'logger'> {
  /** Per-call timeout when the backend's config sets none. */
  readonly defaultTimeoutMs: number;
  /** A call that keeps reporting progress is still cut off after this long. */
  readonly maxCallMs: number;
  /** How long `initialize` plus `tools/list` may take. */
  readonly handshakeTimeoutMs: number;
}

/** One running (or failed, or stopped) backend. */
export class Backend {
  private currentState: BackendState = 'starting';
  private transport: ChildTransport | undefined;
  private client: Client | undefined;
  private toolList: readonly Tool[] = [];
  private startedAt: number | undefined;
  private callCount = 0;
  private errorCount = 0;
  private lastErrorMessage: string | undefined;
  private readonly progressRoutes = new Map<string, (progress: Progress) => void>();
  private nextProgressToken = 0;
  private stopping = false;

  constructor(
    readonly spec: BackendSpec,
    private readonly options: BackendOptions,
    private readonly logger: Logger,
  ) {}

  get name(): string {
    return this.spec.name;
  }

  get state(): BackendState {
    return this.currentState;
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
   * is `failed`, and the error says why (exit code or signal and the last stderr lines, or the timeout).
   */
  async start(): Promise<void> {
    const { name } = this.spec;
    const transport = new ChildTransport(
      {
        command: this.spec.command,
        args: this.spec.args,
        env: buildChildEnv(this.spec.env),
        cwd: this.spec.cwd,
      },
      { ...this.options, logger: this.logger },
    );
    this.transport = transport;
    const client = new Client({ name: GATEWAY_NAME, version: GATEWAY_VERSION }, { capabilities: {} });
    this.client = client;
    this.logger.info('starting backend', { command: formatCommandLine(this.spec), cwd: this.spec.cwd });
    try {
      await transport.start();
    } catch (error) {
      throw this.fail(
        new GatewayError(
          'spawn_failed',
          `backend "${name}" could not start: ${describeSpawnError(error, this.spec)}`,
          {
            server: name,
            cause: error,
          },
        ),
      );
    }
    const wrapped = new InterceptingTransport(transport, (message) => this.interceptProgress(message));
    client.onclose = () => this.onConnectionClosed();
    try {
      await client.connect(wrapped, { timeout: this.options.handshakeTimeoutMs });
      this.toolList = await this.fetchTools();
    } catch (error) {
      if (this.stopping)
        throw new GatewayError('backend_unavailable', `backend "${name}" was removed while starting`);
      // Described before closing: closing ends the process, which would then look like its own exit.
      const failure = this.fail(this.describeStartFailure(error));
      await transport.close();
      throw failure;
    }
    if (this.stopping)
      throw new GatewayError('backend_unavailable', `backend "${name}" was removed while starting`);
    this.startedAt = Date.now();
    this.currentState = 'ready';
    this.logger.info('backend ready', { pid: transport.pid, tools: this.toolList.length });
  }

  /**
   * Calls one of the backend's tools and returns its result unchanged (content, structuredContent, isError). The
   * timeout restarts on every progress notification, up to `maxCallMs` in all.
   */
  async callTool(
    tool: string,
    args: Record<string, unknown>,
    options: BackendCallOptions = {},
  ): Promise<CallToolResult> {
    const client = this.client;
    if (this.currentState !== 'ready' || !client) {
      throw new GatewayError(
        'backend_unavailable',
        `backend "${this.name}" is ${this.currentState}${this.lastErrorMessage ? `: ${this.lastErrorMessage}` : ''}`,
        { server: this.name, tool },
      );
    }
    this.callCount += 1;
    const timeoutMs = this.timeoutMs;
    const controller = new AbortController();
    const onCallerAbort = (): void =>
      controller.abort(new GatewayError('cancelled', `${this.name}.${tool} was cancelled`));
    if (options.signal?.aborted) onCallerAbort();
    options.signal?.addEventListener('abort', onCallerAbort, { once: true });
    const timedOut = (): void =>
      controller.abort(
        new GatewayError('timeout', `${this.name}.${tool} timed out after ${timeoutMs} ms`, {
          server: this.name,
          tool,
        }),
      );
    let idleTimer = setTimeout(timedOut, timeoutMs);
    const totalTimer = setTimeout(timedOut, Math.max(this.options.maxCallMs, timeoutMs));
    const meta: Record<string, unknown> = { ...options.meta };
    delete meta.progressToken;
    let token: string | undefined;
    if (options.onProgress) {
      const relay = options.onProgress;
      token = `${this.name}-${++this.nextProgressToken}`;
      meta.progressToken = token;
      this.progressRoutes.set(token, (progress) => {
        clearTimeout(idleTimer);
        idleTimer = setTimeout(timedOut, timeoutMs);
        relay(progress);
      });
    }
    try {
      return await client.request(
        {
          method: 'tools/call',
          params: { name: tool, arguments: args, ...(Object.keys(meta).length > 0 ? { _meta: meta } : {}) },
        },
        CallToolResultSchema,
        // The gateway's own timers decide; the SDK's timeout is only a backstop past the hard maximum.
        { signal: controller.signal, timeout: Math.max(this.options.maxCallMs, timeoutMs) + 1000 },
      );
    } catch (error) {
      this.errorCount += 1;
      throw this.describeCallFailure(tool, error, controller.signal);
    } finally {
      clearTimeout(idleTimer);
      clearTimeout(totalTimer);
      options.signal?.removeEventListener('abort', onCallerAbort);
      if (token !== undefined) this.progressRoutes.delete(token);
    }
  }

  /** Stops the backend: closes the client and ends its process group. Idempotent. */
  async close(): Promise<void> {
    this.stopping = true;
    this.currentState = 'stopped';
    try {
      await this.client?.close();
    } finally {
      await this.transport?.close();
    }
  }

  /** A snapshot for `list_servers`. */
  info(): BackendInfo {
    const ready = this.currentState === 'ready';
    return {
      name: this.name,
      state: this.currentState,
      description: this.spec.description,
      command: formatCommandLine(this.spec),
      pid: ready ? (this.transport?.pid ?? null) : null,
      uptimeMs: ready && this.startedAt !== undefined ? Date.now() - this.startedAt : null,
      toolCount: this.toolList.length,
      tools: this.toolList.map((tool) => tool.name),
      calls: this.callCount,
      errors: this.errorCount,
      lastError: this.lastErrorMessage ?? null,
    };
  }

  private async fetchTools(): Promise<Tool[]> {
    const client = this.client;
    if (!client?.getServerCapabilities()?.tools) return [];
    const tools: Tool[] = [];
    let cursor: string | undefined;
    do {
      const page = await client.listTools(cursor === undefined ? {} : { cursor }, {
        timeout: this.options.handshakeTimeoutMs,
      });
      tools.push(...page.tools);
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    return tools;
  }

  /** Relays progress in the order the transport delivers it, before the response that may follow in the same read. */
  private interceptProgress(message: JSONRPCMessage): boolean {
    if (!('method' in message) || message.method !== 'notifications/progress' || 'id' in message)
      return false;
    const params = message.params as (Progress & { progressToken?: unknown }) | undefined;
    const route =
      typeof params?.progressToken === 'string' ? this.progressRoutes.get(params.progressToken) : undefined;
    if (!route || !params) return false;
    const { progressToken: _token, ...progress } = params;
    route(progress);
    return true;
  }

  private onConnectionClosed(): void {
    if (this.stopping || this.currentState !== 'ready') return;
    this.currentState = 'failed';
    this.lastErrorMessage = `backend "${this.name}" ${this.describeExit()}`;
    this.logger.warn('backend exited', { reason: this.lastErrorMessage });
  }

  private describeStartFailure(error: unknown): GatewayError {
    const exit = this.transport?.exit;
    if (exit) {
      return new GatewayError(
        'handshake_failed',
        `backend "${this.name}" ${this.describeExitCause()} before completing the MCP handshake ` +
          `(command: ${formatCommandLine(this.spec)})${this.stderrSuffix()}`,
        { server: this.name, cause: error },
      );
    }
    const timedOut = error instanceof McpError && error.code === (ErrorCode.RequestTimeout as number);
    const reason = timedOut
      ? `did not complete the MCP handshake within ${this.options.handshakeTimeoutMs} ms`
      : `failed during the MCP handshake: ${plainMessage(error)}`;
    return new GatewayError(
      'handshake_failed',
      `backend "${this.name}" ${reason} (command: ${formatCommandLine(this.spec)})${this.stderrSuffix()}`,
      { server: this.name, cause: error },
    );
  }

  private describeCallFailure(tool: string, error: unknown, signal: AbortSignal): Error {
    if (signal.aborted && signal.reason instanceof GatewayError) return signal.reason;
    if (this.currentState === 'failed' && this.transport?.exit) {
      return new GatewayError(
        'backend_exited',
        `${this.name}.${tool} failed: ${this.lastErrorMessage ?? 'exited'}`,
        {
          server: this.name,
          tool,
          cause: error,
        },
      );
    }
    if (error instanceof McpError) {
      return new GatewayError('backend_error', `${this.name}.${tool} failed: ${plainMessage(error)}`, {
        server: this.name,
        tool,
        rpcCode: error.code,
        cause: error,
      });
    }
    return new GatewayError('backend_error', `${this.name}.${tool} failed: ${plainMessage(error)}`, {
      server: this.name,
      tool,
      cause: error,
    });
  }

  private describeExit(): string {
    return `${this.describeExitCause()}${this.stderrSuffix()}`;
  }

  private describeExitCause(): string {
    const exit = this.transport?.exit;
    if (!exit) return 'closed its connection';
    return exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code ?? 'unknown'}`;
  }

  private stderrSuffix(): string {
    const lines = this.transport?.recentStderr() ?? [];
    const last = lines.slice(-10);
    return last.length > 0 ? `; last stderr lines:\n${last.map((line) => `  ${line}`).join('\n')}` : '';
  }

  private fail(error: GatewayError): GatewayError {
    this.currentState = 'failed';
    this.lastErrorMessage = error.message;
    return error;
  }
}

function describeSpawnError(error: unknown, spec: BackendSpec): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return `command "${spec.command}" was not found (cwd: ${spec.cwd})`;
  if (code === 'EACCES') return `command "${spec.command}" is not executable`;
  return plainMessage(error);
}
