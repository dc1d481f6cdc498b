/**
 * The set of backends, shared by every client connection: register, remove, look up, close all.
 */
import { EventEmitter } from 'node:events';

import { SERVER_NAME_PATTERN, type ServerConfig } from './server-config.js';
import { GatewayError } from '../errors.js';
import type { Logger } from '../logger.js';
import { Backend, type BackendEvents, type BackendOptions } from './backend.js';
import { toBackendSpec } from './backend-spec.js';
import { DEFAULT_CHILD_TRANSPORT_OPTIONS } from './child-transport.js';

/** Defaults: 10 s per call, 10 minutes for a call that keeps reporting progress, 10 s for the handshake. */
export const DEFAULT_BACKEND_OPTIONS: BackendOptions = {
  ...DEFAULT_CHILD_TRANSPORT_OPTIONS,
  defaultTimeoutMs: 10_000,
  maxCallMs: 600_000,
  handshakeTimeoutMs: 10_000,
};

/** Options of {@link BackendRegistry.register}. */
export interface RegisterOptions {
  /** Folder that relative paths in the config resolve against. */
  readonly baseDir: string;
  /**
   * Keep a backend that failed to start in the registry (state `failed`), as config-loaded backends are, so that
   * `list_servers` shows why. Otherwise a failed registration leaves nothing behind and the name stays free.
   */
  readonly keepOnFailure?: boolean;
}

/** Who answers what backends send on their own. */
export type UpwardHandler = Pick<BackendEvents, 'request' | 'notification'>;

/** Events: `changed` after a backend was added, removed, or changed state. */
export interface RegistryEvents {
  changed: [];
}

/** Owns every backend and its process. */
export class BackendRegistry extends EventEmitter<RegistryEvents> {
  private readonly backends = new Map<string, Backend>();
  private closed = false;
  private upward: UpwardHandler = {
    request: (server, request) =>
      Promise.reject(new Error(`backend "${server}" asked ${request.method}, but no client is connected`)),
    notification: () => undefined,
  };

  constructor(
    private readonly logger: Logger,
    private readonly options: BackendOptions = DEFAULT_BACKEND_OPTIONS,
  ) {
    super();
  }

  /** Sets who answers the requests backends send (sampling, elicitation, roots) and hears their notifications. */
  setUpwardHandler(handler: UpwardHandler): void {
    this.upward = handler;
  }

  /** The backend registered under `name`, in whatever state. */
  get(name: string): Backend | undefined {
    return this.backends.get(name);
  }

  /** Every backend, in registration order. */
  list(): Backend[] {
    return [...this.backends.values()];
  }

  /** Backend names, in registration order. */
  names(): string[] {
    return [...this.backends.keys()];
  }

  /**
   * Starts a backend and adds it under `name`. The name is reserved from the first moment, so two concurrent
   * registrations of one name cannot both start a process. Rejects with a `GatewayError` saying why.
   */
  async register(name: string, config: ServerConfig, options: RegisterOptions): Promise<Backend> {
    if (this.closed) throw new GatewayError('backend_unavailable', 'the gateway is shutting down');
    if (!SERVER_NAME_PATTERN.test(name)) {
      throw new GatewayError(
        'invalid_name',
        `invalid server name ${JSON.stringify(name)}: use 1 to 32 letters, digits, "_" or "-"`,
      );
    }
    if (this.backends.has(name)) {
      throw new GatewayError('duplicate_server', `a server named "${name}" is already registered`, {
        server: name,
      });
    }
    let spec;
    try {
      spec = toBackendSpec(name, config, options.baseDir);
    } catch (error) {
      throw new GatewayError('invalid_input', `server "${name}": ${(error as Error).message}`, {
        server: name,
      });
    }
    const backend = new Backend(spec, this.options, this.logger.child(name), {
      changed: () => this.emit('changed'),
      request: (server, request, signal) => this.upward.request(server, request, signal),
      notification: (server, notification) => this.upward.notification(server, notification),
    });
    this.backends.set(name, backend);
    this.emit('changed');
    try {
      await backend.start();
    } catch (error) {
      if (!options.keepOnFailure && this.backends.get(name) === backend) this.backends.delete(name);
      this.logger.error('backend failed to start', { server: name, reason: (error as Error).message });
      this.emit('changed');
      throw error;
    }
    this.emit('changed');
    return backend;
  }

  /** Stops and removes a backend; its calls in flight fail. Rejects when no backend has that name. */
  async remove(name: string): Promise<void> {
    const backend = this.backends.get(name);
    if (!backend) {
      throw new GatewayError(
        'unknown_server',
        `no server named "${name}"; registered: ${this.describeNames()}`,
        {
          server: name,
        },
      );
    }
    this.backends.delete(name);
    this.emit('changed');
    await backend.close();
    this.logger.info('backend removed', { server: name });
  }

  /** Stops every backend, concurrently; later registrations are refused. */
  async closeAll(): Promise<void> {
    this.closed = true;
    const all = this.list();
    this.backends.clear();
    await Promise.allSettled(all.map((backend) => backend.close()));
  }

  /** `a, b, c`, or `none`. */
  describeNames(): string {
    const names = this.names();
    return names.length > 0 ? names.join(', ') : 'none';
  }
}
