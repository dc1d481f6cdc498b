/**
 * An in-memory `BackendDirectory` for unit tests of the gateway, holding {@link FakeBackend}s (see `fake-backend.ts`,
 * re-exported here): it records registrations and removals, fails like the real registry on duplicate and unknown
 * names, and keeps the upward handler a gateway attaches, which its fake backends send through.
 */
import { EventEmitter } from 'node:events';

import type { ServerConfig } from '../../src/backends/server-config.js';
import { GatewayError } from '../../src/errors/gateway-error.js';
import type { Backend, BackendDirectory, UpwardHandler } from '../../src/shared/backend.js';
import { FakeBackend } from './fake-backend.js';

export * from './fake-backend.js';

/** One `register` call the directory received. */
export interface RecordedRegistration {
  readonly name: string;
  readonly config: ServerConfig;
  readonly options: { baseDir: string };
}

/** What `register` does; the default adds a ready {@link FakeBackend} with no tools. */
export type RegisterBehaviour = (
  name: string,
  config: ServerConfig,
  options: { baseDir: string },
) => Backend | Promise<Backend>;

/** An in-memory directory of fake backends, failing like the real registry on duplicate and unknown names. */
export class FakeDirectory extends EventEmitter implements BackendDirectory {
  upwardHandler: UpwardHandler | undefined;
  readonly registrations: RecordedRegistration[] = [];
  readonly removals: string[] = [];
  readonly restarts: string[] = [];
  /** Replace to control what `register` creates or how it fails. */
  onRegister: RegisterBehaviour = (name, config) =>
    new FakeBackend(name, { description: config.description ?? '', command: config.command });
  private readonly backends = new Map<string, Backend>();

  constructor(backends: readonly Backend[] = []) {
    super();
    for (const backend of backends) this.add(backend);
  }

  attachUpwardHandler(handler: UpwardHandler): () => void {
    if (this.upwardHandler) throw new Error('this directory already serves a gateway');
    this.upwardHandler = handler;
    return () => {
      if (this.upwardHandler === handler) this.upwardHandler = undefined;
    };
  }

  /** Adds a backend directly, as if it had been registered. */
  add<T extends Backend>(backend: T): T {
    this.adopt(backend);
    this.emit('changed');
    return backend;
  }

  get(name: string): Backend | undefined {
    return this.backends.get(name);
  }

  list(): Backend[] {
    return [...this.backends.values()];
  }

  describeNames(): string {
    return [...this.backends.keys()].join(', ') || 'none';
  }

  async register(name: string, config: ServerConfig, options: { baseDir: string }): Promise<Backend> {
    this.registrations.push({ name, config, options });
    if (this.backends.has(name)) {
      throw new GatewayError('duplicate_server', `a server named "${name}" is already registered`, {
        backend: name,
      });
    }
    const backend = await this.onRegister(name, config, options);
    this.adopt(backend);
    this.emit('changed');
    return backend;
  }

  /** Records the restart; the fake backend stays the same object, as the registry's does. */
  restart(name: string): Promise<Backend> {
    this.restarts.push(name);
    const backend = this.backends.get(name);
    if (!backend) {
      return Promise.reject(
        new GatewayError('unknown_server', `no server named "${name}"; registered: ${this.describeNames()}`, {
          backend: name,
        }),
      );
    }
    return Promise.resolve(backend);
  }

  private adopt(backend: Backend): void {
    this.backends.set(backend.name, backend);
    if (backend instanceof FakeBackend) backend.directory = this;
  }

  remove(name: string): Promise<void> {
    this.removals.push(name);
    const removed = this.backends.delete(name);
    if (removed) this.emit('changed');
    if (!removed) {
      return Promise.reject(
        new GatewayError('unknown_server', `no server named "${name}"; registered: ${this.describeNames()}`, {
          backend: name,
        }),
      );
    }
    return Promise.resolve();
  }
}
