/**
 * One connection to a backend: its child process, the SDK Client over it, and the progress routes of the calls
 * in flight. A backend that restarts gets a new connection; an old one never comes back.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  ErrorCode,
  McpError,
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

/** Limits and timings of a connection. */
export interface ConnectionOptions extends ChildTransportOptions {
  /** How long `initialize` plus `tools/list` may take. */
  readonly handshakeTimeoutMs: number;
}

let nextProgressToken = 0;

/** A child process speaking MCP, with the gateway as its client. */
export class BackendConnection {
  private readonly transport: ChildTransport;
  readonly client: Client;
  private readonly progressRoutes = new Map<string, (progress: Progress) => void>();
  private reason: string | undefined;
  private abandonedBecause: string | undefined;
  private deliberate = false;

  constructor(
    private readonly spec: BackendSpec,
    private readonly options: ConnectionOptions,
  ) {
    this.transport = new ChildTransport(
      {
        command: spec.command,
        args: spec.args,
        env: buildChildEnv(spec.env, spec.inheritEnv),
        cwd: spec.cwd,
      },
      options,
    );
    this.client = new Client({ name: GATEWAY_NAME, version: GATEWAY_VERSION }, { capabilities: {} });
  }

  /** The child's pid once spawned. */
  get pid(): number | undefined {
    return this.transport.pid;
  }

  /** Non-JSON-RPC stdout lines skipped so far. */
  get skippedLines(): number {
    return this.transport.skippedLines;
  }

  /** Why the connection ended (`exited with code 1; last stderr lines: ...`), once it has. */
  get closeReason(): string | undefined {
    return this.reason;
  }

  private get logger(): Logger {
    return this.options.logger;
  }

  /**
   * Spawns the process, completes the handshake and lists the tools. `onLost` is called if the connection later
   * ends without `close()` being called. Rejects with a GatewayError saying why, leaving no process behind.
   */
  async open(onLost: () => void): Promise<Tool[]> {
    const { name } = this.spec;
    try {
      await this.transport.start();
    } catch (error) {
      this.reason = 'could not start';
      throw new GatewayError(
        'spawn_failed',
        `backend "${name}" could not start: ${describeSpawnError(error, this.spec)}`,
        {
          server: name,
          cause: error,
        },
      );
    }
    const wrapped = new InterceptingTransport(this.transport, (message) => this.interceptProgress(message));
    this.client.onclose = () => {
      this.reason ??= this.describeEnd();
      if (!this.deliberate) onLost();
    };
    try {
      await this.client.connect(wrapped, { timeout: this.options.handshakeTimeoutMs });
      return await this.fetchTools();
    } catch (error) {
      // Described before closing: closing ends the process, which would then look like its own exit.
      const failure = this.describeStartFailure(error);
      await this.close();
      throw failure;
    }
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
    await this.transport.close();
  }

  /** Ends the connection on purpose: `onLost` is not called. Idempotent. */
  async close(): Promise<void> {
    this.deliberate = true;
    try {
      await this.client.close();
    } finally {
      await this.transport.close();
    }
  }

  private async fetchTools(): Promise<Tool[]> {
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

  private describeStartFailure(error: unknown): GatewayError {
    const where = { server: this.spec.name, cause: error };
    const command = `(command: ${formatCommandLine(this.spec)})`;
    if (this.transport.exit || this.transport.failure) {
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
    const failure = this.transport.failure;
    if (failure) return `was stopped: ${failure.message}`;
    const exit = this.transport.exit;
    if (!exit) return 'closed its connection';
    return exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code ?? 'unknown'}`;
  }

  private stderrSuffix(): string {
    const last = this.transport.recentStderr().slice(-10);
    return last.length > 0 ? `; last stderr lines:\n${last.map((line) => `  ${line}`).join('\n')}` : '';
  }
}

function describeSpawnError(error: unknown, spec: BackendSpec): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return `command "${spec.command}" was not found (cwd: ${spec.cwd})`;
  if (code === 'EACCES') return `command "${spec.command}" is not executable`;
  return plainMessage(error);
}
