/**
 * The set of backends, shared by every client connection: register, remove, look up, close all.
 */
import { EventEmitter } from 'node:events';

import { GatewayError } from '../errors/gateway-error.js';
import type { Logger } from '../logger.js';
import type { BackendDirectory, UpwardHandler } from '../shared/backend.js';
import { toBackendSpec } from './backend-spec.js';
import { DEFAULT_BACKEND_OPTIONS, type BackendOptions } from './backend-options.js';
import { ManagedBackend } from './managed-backend.js';
import { SERVER_NAME_PATTERN, type ServerConfig } from './server-config.js';

/** Options of {@link BackendRegistry.register}. */
export interface RegisterOptions {
  /** Folder that relative paths in the config resolve against. */
  readonly baseDir: string;
  /**
   * Keep a backend that failed to start in the registry (state `failed`), as config-loaded backends are, so that
   * `list_servers` shows why, and retry its start under its restart policy. Otherwise a failed registration leaves
   * nothing behind and the name stays free.
   */
  readonly keepOnFailure?: boolean;
}

/** Events: `changed` after a backend was added, removed, or changed state. */
export interface RegistryEvents {
  changed: [];
}

/** Answers for backends while no gateway is attached. */
const NO_GATEWAY: UpwardHandler = {
  request: (backend, request) =>
    Promise.reject(new Error(`backend "${backend}" asked ${request.method}, but no client is connected`)),
  notification: () => undefined,
};

/** Owns every backend and its process. */
export class BackendRegistry extends EventEmitter<RegistryEvents> implements BackendDirectory {
  private readonly backends = new Map<string, ManagedBackend>();
  private closed = false;
  private upward: UpwardHandler = NO_GATEWAY;

  constructor(
    private readonly logger: Logger,
    private readonly options: BackendOptions = DEFAULT_BACKEND_OPTIONS,
  ) {
    super();
  }

  /**
   * Makes `handler` answer the requests backends send (sampling, elicitation, roots) and hear their notifications;
   * returns the function that detaches it. One gateway per registry: a second handler would take the first one's
   * clients' requests, so attaching while one is attached throws.
   */
  attachUpwardHandler(handler: UpwardHandler): () => void {
    if (this.upward !== NO_GATEWAY) {
      throw new Error('this backend registry already serves a gateway: close that gateway first');
    }
    this.upward = handler;
    return () => {
      if (this.upward === handler) this.upward = NO_GATEWAY;
    };
  }

  /** The backend registered under `name`, in whatever state. */
  get(name: string): ManagedBackend | undefined {
    return this.backends.get(name);
  }

  /** Every backend, in registration order. */
  list(): ManagedBackend[] {
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
  async register(name: string, config: ServerConfig, options: RegisterOptions): Promise<ManagedBackend> {
    if (this.closed) throw new GatewayError('backend_unavailable', 'the gateway is shutting down');
    if (!SERVER_NAME_PATTERN.test(name)) {
      throw new GatewayError(
        'invalid_name',
        `invalid server name ${JSON.stringify(name)}: use 1 to 32 letters, digits, "_" or "-"`,
      );
    }
    if (this.backends.has(name)) {
      throw new GatewayError('duplicate_server', `a server named "${name}" is already registered`, {
        backend: name,
      });
    }
    const backend = this.create(name, config, options);
    this.backends.set(name, backend);
    return this.start(backend, options);
  }

  /**
   * Replaces the backend `name` by one started from `config` (a reload changed its entry): the new one takes the
   * old one's place in the registration order, then the old one is stopped (its calls in flight fail) and the new
   * one started. Registers it when there is none of that name.
   */
  async replace(name: string, config: ServerConfig, options: RegisterOptions): Promise<ManagedBackend> {
    const old = this.backends.get(name);
    if (!old) return this.register(name, config, options);
    if (this.closed) throw new GatewayError('backend_unavailable', 'the gateway is shutting down');
    const backend = this.create(name, config, options);
    this.backends.set(name, backend);
    this.emit('changed');
    await old.close();
    return this.start(backend, options);
  }

  /** A backend for `config`, not started; rejects an entry that cannot be turned into a spec. */
  private create(name: string, config: ServerConfig, options: RegisterOptions): ManagedBackend {
    let spec;
    try {
      spec = toBackendSpec(name, config, options.baseDir);
    } catch (error) {
      const refused = new GatewayError('invalid_input', `server "${name}": ${(error as Error).message}`, {
        backend: name,
      });
      // Said here: a config's server refused before it is registered would otherwise leave no trace.
      this.logger.error('backend not registered', { backend: name, reason: refused.message });
      throw refused;
    }
    return new ManagedBackend(spec, this.options, this.logger.child(name), {
      changed: () => this.emit('changed'),
      request: (backend, request, signal, principal) =>
        this.upward.request(backend, request, signal, principal),
      notification: (backend, notification, principal) =>
        this.upward.notification(backend, notification, principal),
    });
  }

  /** Starts a backend already in the registry; a failure removes it unless `keepOnFailure`. */
  private async start(backend: ManagedBackend, options: RegisterOptions): Promise<ManagedBackend> {
    const { name } = backend;
    this.emit('changed');
    try {
      await backend.start({ retry: options.keepOnFailure === true });
    } catch (error) {
      if (!options.keepOnFailure && this.backends.get(name) === backend) this.backends.delete(name);
      this.logger.error('backend failed to start', { backend: name, reason: (error as Error).message });
      this.emit('changed');
      throw error;
    }
    this.emit('changed');
    return backend;
  }

  /** Stops and removes a backend; its calls in flight fail. Rejects when no backend has that name. */
  async remove(name: string): Promise<void> {
    const backend = this.backends.get(name);
    if (!backend) throw this.unknown(name);
    this.backends.delete(name);
    this.emit('changed');
    await backend.close();
    this.logger.info('backend removed', { backend: name });
  }

  /**
   * Starts the backend `name` again now (see {@link ManagedBackend.restart}); rejects for an unknown name, a disabled
   * backend, or with the reason the new start failed.
   */
  async restart(name: string): Promise<ManagedBackend> {
    const backend = this.backends.get(name);
    if (!backend) throw this.unknown(name);
    this.logger.info('restarting backend on request', { backend: name });
    await backend.restart();
    return backend;
  }

  /**
   * Stops the backend `name` and keeps it stopped (state `disabled`) until {@link enable}. The running state only:
   * the config file is not written, so the next start of the gateway follows the file again. Rejects for an
   * unknown name.
   */
  async disable(name: string): Promise<ManagedBackend> {
    const backend = this.backends.get(name);
    if (!backend) throw this.unknown(name);
    this.logger.info('disabling backend on request', { backend: name });
    await backend.disable();
    return backend;
  }

  /**
   * Starts the disabled backend `name` (disabled by the config or by {@link disable}); the running state only, as
   * there. Rejects for an unknown name, or with the reason the start failed (it is retried under its restart policy).
   */
  async enable(name: string): Promise<ManagedBackend> {
    const backend = this.backends.get(name);
    if (!backend) throw this.unknown(name);
    this.logger.info('enabling backend on request', { backend: name });
    await backend.enable();
    return backend;
  }

  /** Stops every backend, concurrently; later registrations are refused. */
  async closeAll(): Promise<void> {
    this.closed = true;
    const all = this.list();
    this.backends.clear();
    await Promise.allSettled(all.map((backend) => backend.close()));
  }

  /**
   * Whether every backend has settled (none is starting; disabled ones do not count), and which are starting or
   * failed, by name: what a readiness probe reports.
   */
  readiness(): { readonly ready: boolean; readonly starting: string[]; readonly failed: string[] } {
    const named = (state: string): string[] =>
      this.list()
        .filter((backend) => backend.state === state)
        .map((backend) => backend.name);
    const starting = named('starting');
    return { ready: starting.length === 0, starting, failed: named('failed') };
  }

  private unknown(name: string): GatewayError {
    return new GatewayError(
      'unknown_server',
      `no server named "${name}"; registered: ${this.describeNames()}`,
      {
        backend: name,
      },
    );
  }

  /** `a, b, c`, or `none`. */
  describeNames(): string {
    const names = this.names();
    return names.length > 0 ? names.join(', ') : 'none';
  }
}
