/**
 * One connection to a backend: its transport (a child process, or a remote server), the handshake, and the SDK
 * Client beside the fast path's requests on the same transport. A backend that restarts gets a new connection; an
 * old one never comes back.
 */
import path from 'node:path';

import { Client, UnauthorizedError } from '@modelcontextprotocol/client';
import type { OAuthClientProvider, Transport, Tool } from '@modelcontextprotocol/client';
import { GatewayError } from '../../errors/gateway-error.js';
import { plainMessage } from '../../errors/protocol-error.js';
import { toProtocolError } from '../../errors/to-wire.js';
import { OutgoingRequests } from '../../rpc/outgoing-requests.js';
import type { BackendMessage } from '../../shared/backend.js';
// What the gateway tells every backend it can do: it passes those requests on to the client whose call is in
// flight, and answers with an error when that client cannot.
import { GATEWAY_CLIENT_CAPABILITIES } from '../../shared/routed-capabilities.js';
import { GATEWAY_NAME, GATEWAY_VERSION } from '../../version.js';
import { buildChildEnv, type BackendSpec } from '../backend-spec.js';
import { CONFIG_CHAIN_ENV, describeSelfReference } from '../registration/config-chain.js';
import {
  ChildTransport,
  describeSpawnError,
  type ChildTransportOptions,
} from '../process/child-transport.js';
import { ChangeStream, withoutSubscriptionId } from './change-stream.js';
import { listAllTools } from './list-tools.js';
import { createRemoteTransport, endRemoteSession } from './remote-transport.js';
import { describeCause, describeStartFailure, stderrSuffix } from './describe-failure.js';
import { handshakeInEra } from './era-handshake.js';
import { LEGACY_ERA, type ConnectionEra, type EraMode } from './protocol-era.js';

/** Where a connection sends what its backend asks or announces. */
export interface ConnectionHooks {
  /** Answers a request from the backend; rejecting sends the backend a JSON-RPC error. */
  onRequest(request: BackendMessage, signal: AbortSignal): Promise<Record<string, unknown>>;
  /** Receives a notification from the backend (progress of forwarded calls excepted). */
  onNotification(notification: BackendMessage): void;
}

/** Who the gateway says it is, as the client of its backends. */
const GATEWAY_CLIENT_INFO = { name: GATEWAY_NAME, version: GATEWAY_VERSION };

/** Limits and timings of a connection. */
export interface ConnectionOptions extends ChildTransportOptions {
  /** How long `initialize` plus `tools/list` may take. */
  readonly handshakeTimeoutMs: number;
  /**
   * Config files served up the chain, this gateway's own last: handed to every local backend, and an entry that
   * would start a gateway on one of them is refused (see `config-chain.ts`).
   */
  readonly configChain?: readonly string[] | undefined;
  /** Authorizes a remote backend's requests by OAuth (see `oauth/`). */
  readonly authProvider?: OAuthClientProvider | undefined;
}

/** A backend speaking MCP with the gateway as its client. */
export class BackendConnection {
  /** The fast path's requests on this connection (`send`, progress routes). */
  readonly requests: OutgoingRequests;
  /** Present for a local backend. */
  private readonly child: ChildTransport | undefined;
  private transport: Transport | undefined;
  private currentClient: Client;
  private reason: string | undefined;
  private abandonedBecause: string | undefined;
  private deliberate = false;
  private era: ConnectionEra = LEGACY_ERA;
  private changeStream: ChangeStream | undefined;

  constructor(
    private readonly spec: BackendSpec,
    private readonly options: ConnectionOptions,
    private readonly hooks: ConnectionHooks,
  ) {
    this.requests = new OutgoingRequests(spec.name);
    this.child =
      spec.url === undefined
        ? new ChildTransport(
            {
              command: spec.command,
              args: spec.args,
              env: {
                ...buildChildEnv(spec.env, spec.inheritEnv),
                // Every descendant hears which configs are served up the chain (see config-chain.ts).
                ...(options.configChain && options.configChain.length > 0
                  ? { [CONFIG_CHAIN_ENV]: options.configChain.join(path.delimiter) }
                  : {}),
              },
              cwd: spec.cwd,
            },
            options,
          )
        : undefined;
    this.currentClient = this.createClient();
  }

  /** The SDK client speaking to the backend (handshake, lists, pings, notifications). */
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
      this.reason ??= `${this.abandonedBecause ?? describeCause(this.child)}${stderrSuffix(this.child)}`;
      this.requests.close(new GatewayError('backend_exited', 'Connection closed'));
      if (!this.deliberate) onLost();
    };
    const selfReference = describeSelfReference(this.spec, this.options.configChain ?? []);
    if (selfReference !== undefined) {
      throw new GatewayError('self_reference', selfReference, { backend: this.spec.name });
    }
    try {
      if (this.child) await this.openChild(this.child, onclose);
      else await this.openRemote(this.spec.url ?? '', onclose);
      return await this.fetchTools();
    } catch (error) {
      if (error instanceof GatewayError) throw error;
      // Described before closing: closing ends the process, which would then look like its own exit.
      const failure = describeStartFailure(this.spec, this.child, this.options.handshakeTimeoutMs, error);
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
        { backend: this.spec.name, cause: error },
      );
    }
    await this.handshake(child, true);
    this.currentClient.onclose = onclose;
  }

  /** Streamable HTTP first; a server that does not speak it (an older SSE-only server) gets a second try over SSE. */
  private async openRemote(url: string, onclose: () => void): Promise<void> {
    const kinds = this.spec.remote;
    const failures: string[] = [];
    for (const kind of kinds) {
      if (failures.length > 0) {
        // A failed handshake leaves the Client unusable: the next transport gets a fresh one.
        await this.currentClient.close().catch(() => undefined);
        await this.transport?.close().catch(() => undefined);
        this.currentClient = this.createClient();
      }
      try {
        await this.handshake(
          await createRemoteTransport(kind, url, this.spec.headers, this.options.authProvider),
          false,
          kind === 'sse' ? '2025-11-25' : this.spec.protocol,
        );
        this.currentClient.onclose = onclose;
        return;
      } catch (error) {
        // A server that wants authorization said so: SSE would only ask for it again.
        if (UnauthorizedError.isInstance(error)) throw error;
        failures.push(`${kind === 'sse' ? 'SSE' : 'Streamable HTTP'} (${plainMessage(error)})`);
        if (kind !== kinds.at(-1)) {
          this.options.logger.info('Streamable HTTP failed; trying SSE', { error: plainMessage(error) });
        } else if (failures.length === 1) {
          throw error;
        } else {
          throw new Error(`neither ${failures.join(' nor ')} worked`, { cause: error });
        }
      }
    }
  }

  /**
   * Connects a Client through the fast path's interceptor, in the backend's era (see `era-handshake.ts`); the fast
   * path sends on the transport from then on.
   */
  private async handshake(
    transport: Transport,
    owned = false,
    protocol: BackendSpec['protocol'] = this.spec.protocol,
  ): Promise<void> {
    this.transport = transport;
    const { client, era } = await handshakeInEra({
      transport,
      started: owned,
      protocol,
      createClient: (mode) => (this.currentClient = this.createClient(mode)),
      intercept: (message) => this.requests.intercept(message),
      timeoutMs: this.options.handshakeTimeoutMs,
      logger: this.options.logger,
      clientInfo: GATEWAY_CLIENT_INFO,
      capabilities: GATEWAY_CLIENT_CAPABILITIES,
    });
    this.currentClient = client;
    this.era = era;
    this.requests.attach(transport);
    if (era.kind !== 'modern') return;
    this.changeStream = new ChangeStream(
      this.spec.name,
      client,
      this.options.handshakeTimeoutMs,
      this.options.logger,
    );
    await this.changeStream.listen([]);
  }

  /** The `subscriptions/listen` stream of a 2026-07-28 backend (undefined for a 2025 one). */
  get changes(): ChangeStream | undefined {
    return this.changeStream;
  }

  /** The protocol era this connection speaks, once connected: what a raw request must carry with it. */
  get protocolEra(): ConnectionEra {
    return this.era;
  }

  private createClient(mode: EraMode = 'legacy'): Client {
    const client = new Client(GATEWAY_CLIENT_INFO, {
      capabilities: GATEWAY_CLIENT_CAPABILITIES,
      ...(mode === 'legacy' ? {} : { versionNegotiation: { mode } }),
    });
    // Everything the backend asks or announces that the SDK does not handle itself (ping, cancellation, progress)
    // goes to the gateway, whatever the method: a proxy forwards what it does not know too.
    client.fallbackRequestHandler = (request, ctx) =>
      this.hooks
        .onRequest({ method: request.method, params: request.params }, ctx.mcpReq.signal)
        .catch((error: unknown) => {
          // The backend gets a JSON-RPC error: mapped here, at the boundary, like every error a peer receives.
          throw toProtocolError(error);
        });
    client.fallbackNotificationHandler = (notification) => {
      const params = withoutSubscriptionId(notification.params);
      this.hooks.onNotification({ method: notification.method, params });
      return Promise.resolve();
    };
    return client;
  }

  /**
   * Resolves true when the backend answers within `timeoutMs`: a `ping`, or for a 2026-07-28 backend (whose
   * revision has no ping) a `server/discover`.
   */
  async ping(timeoutMs: number): Promise<boolean> {
    try {
      if (this.era.kind === 'modern') await this.client.discover({ timeout: timeoutMs });
      else await this.client.ping({ timeout: timeoutMs });
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
      await this.changeStream?.close();
      await endRemoteSession(this.transport);
      await this.currentClient.close();
    } finally {
      // The Client lets go of the transport without ending it (see era-handshake.ts): ending it is ours.
      await (this.child ?? this.transport)?.close();
    }
  }

  /** Lists the backend's tools again (after it announced a change). */
  fetchTools(): Promise<Tool[]> {
    return listAllTools(this.client, this.options.handshakeTimeoutMs);
  }
}
