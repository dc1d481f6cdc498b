/**
 * The backend directory the gateway sees when clustering is on: this replica's `BackendRegistry`, whose runtime
 * registrations are also written to the shared registry (and undone when that write fails), listed in the global
 * order so that every replica names tools alike. Config servers stay each replica's own.
 */
import { EventEmitter } from 'node:events';

import type { BackendRegistry, RegisterOptions } from '../backends/backend-registry.js';
import type { ManagedBackend } from '../backends/managed-backend.js';
import type { ServerConfig } from '../backends/server-config.js';
import { GatewayError } from '../errors/gateway-error.js';
import type { Logger } from '../logger.js';
import type { BackendDirectory, UpwardHandler } from '../shared/backend.js';
import type { ClusterStatusSource } from '../shared/backend-info.js';
import type { ClusterStore } from './cluster-store.js';
import { sealEntry } from './registry-entry.js';
import { exposureOrder, type AppliedEntry } from './registry-order.js';

/** A directory whose runtime registrations the cluster shares. */
export class ReplicatedDirectory extends EventEmitter<{ changed: [] }> implements BackendDirectory {
  /** The runtime entries this replica runs (or tried to), by name. */
  readonly applied = new Map<string, AppliedEntry>();
  /** Names whose local change is under way (started here, not yet acknowledged by the store; or being removed). */
  readonly busy = new Set<string>();
  /** Each replica's state of the servers named (set once the cluster is joined). */
  clusterStatus: ClusterStatusSource | undefined;

  constructor(
    readonly registry: BackendRegistry,
    private readonly store: ClusterStore,
    private readonly sealKey: Buffer,
    private readonly replicaId: string,
    private readonly logger: Logger,
  ) {
    super();
    registry.on('changed', () => this.emit('changed'));
  }

  /** A backend, unless its registration here is not yet acknowledged by the store. */
  get(name: string): ManagedBackend | undefined {
    return this.pending(name) ? undefined : this.registry.get(name);
  }

  /** Config servers in the order this replica registered them, then runtime entries by `seq`. */
  list(): ManagedBackend[] {
    const visible = this.registry.list().filter((backend) => !this.pending(backend.name));
    return exposureOrder(visible, (backend) => this.applied.get(backend.name)?.seq);
  }

  describeNames(): string {
    const names = this.list().map((backend) => backend.name);
    return names.length > 0 ? names.join(', ') : 'none';
  }

  /** Whether `name` is a config server here (registered locally, not from the shared registry). */
  isConfigServer(name: string): boolean {
    return this.registry.get(name) !== undefined && !this.applied.has(name) && !this.busy.has(name);
  }

  /**
   * Starts the backend here, then adds it to the shared registry; when the store refuses it (the name is taken) or
   * cannot be reached, the local copy is stopped and nothing is registered anywhere.
   */
  async register(name: string, config: ServerConfig, options: RegisterOptions): Promise<ManagedBackend> {
    if (this.busy.has(name)) {
      throw new GatewayError('duplicate_server', `a server named "${name}" is being registered or removed`, {
        backend: name,
      });
    }
    this.busy.add(name);
    try {
      const backend = await this.registry.register(name, config, options);
      let written: AppliedEntry | undefined;
      let outcome;
      try {
        outcome = await this.store.register(name, (seq) => {
          const at = new Date().toISOString();
          const entry = { name, seq, config, baseDir: options.baseDir, registeredBy: this.replicaId, at };
          written = { seq, sealed: sealEntry(this.sealKey, entry) };
          return written.sealed;
        });
      } catch (error) {
        await this.undo(name);
        throw error;
      }
      if (outcome === 'taken' || written === undefined) {
        await this.undo(name);
        throw new GatewayError(
          'duplicate_server',
          `a server named "${name}" is already registered in the cluster`,
          {
            backend: name,
          },
        );
      }
      this.applied.set(name, written);
      this.logger.info('registered in the cluster', { backend: name, seq: written.seq });
      return backend;
    } finally {
      this.busy.delete(name);
      this.emit('changed');
    }
  }

  /**
   * Removes `name` from the shared registry, then here. A config server is this replica's own: it is removed here
   * only. Rejects with `cluster_unavailable`, changing nothing, when the store cannot be reached.
   */
  async remove(name: string): Promise<void> {
    if (this.isConfigServer(name) || this.busy.has(name)) return this.registry.remove(name);
    this.busy.add(name);
    try {
      const outcome = await this.store.remove(name);
      // Unknown everywhere: the registry says so, listing what exists.
      if (outcome === 'absent' && !this.applied.has(name)) return await this.registry.remove(name);
      this.applied.delete(name);
      if (this.registry.get(name) !== undefined) await this.registry.remove(name);
    } finally {
      this.busy.delete(name);
      this.emit('changed');
    }
  }

  /** Adds an entry of the shared registry here (failures stay listed as `failed` and are retried). */
  adopt(name: string, config: ServerConfig, applied: AppliedEntry, baseDir: string): Promise<unknown> {
    this.applied.set(name, applied);
    return this.registry.register(name, config, { baseDir, keepOnFailure: true }).catch(() => undefined);
  }

  /** Stops a runtime entry gone from the shared registry. */
  async drop(name: string): Promise<void> {
    this.applied.delete(name);
    if (this.registry.get(name) !== undefined) await this.registry.remove(name).catch(() => undefined);
  }

  restart(name: string): Promise<ManagedBackend> {
    return this.registry.restart(name);
  }

  /** Stops this replica's copy and keeps it stopped (the running state only, as on a gateway alone). */
  disable(name: string): Promise<ManagedBackend> {
    return this.registry.disable(name);
  }

  /** Starts this replica's disabled copy again. */
  enable(name: string): Promise<ManagedBackend> {
    return this.registry.enable(name);
  }

  attachUpwardHandler(handler: UpwardHandler): () => void {
    return this.registry.attachUpwardHandler(handler);
  }

  private pending(name: string): boolean {
    return this.busy.has(name) && !this.applied.has(name);
  }

  /** Stops the local copy of a registration the store did not take. */
  private async undo(name: string): Promise<void> {
    this.applied.delete(name);
    if (this.registry.get(name) !== undefined) await this.registry.remove(name).catch(() => undefined);
  }
}
