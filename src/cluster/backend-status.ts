/**
 * Each replica's view of its backends, published for a cluster-wide `list_servers`: per server a hash of replica id
 * to `{state, toolCount, lastError}` that expires unless refreshed. Never environment values or headers. Read only
 * when `list_servers` is called.
 */
import type { ClusterServerStatus, ReplicaBackendStatus } from '../shared/backend-info.js';
import type { Logger } from '../logger.js';
import { KEYS, type ClusterStore } from './cluster-store.js';
import type { RefusedEntry } from './reconciler.js';
import type { ReplicatedDirectory } from './replicated-directory.js';

/** How long a replica's status of a backend lasts unless refreshed, in seconds. */
const STATUS_TTL_S = 60;
/** How often every status is written again (besides after each change). */
const REFRESH_EVERY_MS = 20_000;
/** Changes that come together are written together. */
const SETTLE_MS = 100;

/** Publishes this replica's backend states. */
export class StatusPublisher {
  private published = new Set<string>();
  private pending: NodeJS.Timeout | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly onChange = (): void => this.schedule();

  constructor(
    private readonly store: ClusterStore,
    private readonly directory: ReplicatedDirectory,
    private readonly refused: ReadonlyMap<string, RefusedEntry>,
    private readonly replicaId: string,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.directory.on('changed', this.onChange);
    this.timer = setInterval(() => void this.publish(), REFRESH_EVERY_MS);
    this.timer.unref();
    this.schedule();
  }

  /** Writes soon (changes in a burst are written once). */
  schedule(): void {
    this.pending ??= setTimeout(() => {
      this.pending = undefined;
      void this.publish();
    }, SETTLE_MS);
  }

  /** Stops publishing and withdraws what this replica published. */
  async stop(): Promise<void> {
    this.directory.off('changed', this.onChange);
    clearInterval(this.timer);
    clearTimeout(this.pending);
    const pipeline = this.store.redis.pipeline();
    for (const name of this.published) pipeline.hdel(KEYS.status(name), this.replicaId);
    await pipeline.exec().catch(() => undefined);
  }

  private current(): Map<string, ReplicaBackendStatus> {
    const states = new Map<string, ReplicaBackendStatus>();
    const at = new Date().toISOString();
    for (const backend of this.directory.registry.list()) {
      const info = backend.info();
      states.set(backend.name, {
        state: info.state,
        toolCount: info.toolCount,
        lastError: info.lastError,
        at,
      });
    }
    for (const [name, refused] of this.refused) {
      if (!states.has(name))
        states.set(name, { state: 'refused', toolCount: 0, lastError: refused.reason, at });
    }
    return states;
  }

  private async publish(): Promise<void> {
    const states = this.current();
    const pipeline = this.store.redis.pipeline();
    for (const [name, status] of states) {
      pipeline.hset(KEYS.status(name), this.replicaId, JSON.stringify(status));
      pipeline.expire(KEYS.status(name), STATUS_TTL_S);
    }
    for (const name of this.published)
      if (!states.has(name)) pipeline.hdel(KEYS.status(name), this.replicaId);
    try {
      await pipeline.exec();
      this.published = new Set(states.keys());
    } catch (error) {
      this.logger.debug('backend status not published (cluster store unreachable)', {
        reason: (error as Error).message,
      });
    }
  }
}

/** Every replica's status of each server in `names`, read now. */
export async function readClusterStatus(
  store: ClusterStore,
  names: readonly string[],
): Promise<ClusterServerStatus> {
  const pipeline = store.redis.pipeline();
  for (const name of names) pipeline.hgetall(KEYS.status(name));
  const results = (await pipeline.exec()) ?? [];
  const servers: Record<string, Record<string, ReplicaBackendStatus>> = {};
  results.forEach(([error, value], index) => {
    const name = names[index];
    if (error || name === undefined) return;
    const replicas: Record<string, ReplicaBackendStatus> = {};
    for (const [replica, json] of Object.entries(value as Record<string, string>)) {
      try {
        replicas[replica] = JSON.parse(json) as ReplicaBackendStatus;
      } catch {
        // A value this version cannot read is left out.
      }
    }
    servers[name] = replicas;
  });
  return servers;
}
