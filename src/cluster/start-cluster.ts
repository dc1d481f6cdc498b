/**
 * Joins this replica to a cluster: loads the key, connects to Redis, and builds the replicated directory, the
 * reconcile loop, the heartbeat and the status publisher. The composition root imports this module only when
 * clustering is on, so that a gateway without `--redis` never loads the Redis client.
 */
import type { BackendRegistry } from '../backends/backend-registry.js';
import type { Logger } from '../logger.js';
import type { ClusterStatus } from '../shared/backend-info.js';
import type { RegistrationRequest } from '../shared/registration-policy.js';
import { GATEWAY_VERSION } from '../version.js';
import { readClusterStatus, StatusPublisher } from './backend-status.js';
import type { ClusterSettings } from './cluster-key.js';
import { deriveClusterKeys, loadClusterKey, replicaIdOf } from './cluster-key.js';
import { ClusterStore, describeRedisUrl } from './cluster-store.js';
import { Membership } from './membership.js';
import { Reconciler } from './reconciler.js';
import { ReplicatedDirectory } from './replicated-directory.js';

/** What joining needs beyond the settings. */
export interface JoinOptions {
  readonly registry: BackendRegistry;
  /**
   * This replica's own check of a command before it runs an entry registered elsewhere (its
   * `registration.allowCommands`); rejects saying why not.
   */
  readonly allows: (request: RegistrationRequest) => Promise<unknown>;
  readonly logger: Logger;
}

/** A replica in a cluster. */
export interface Cluster {
  readonly replicaId: string;
  /** The directory the gateway serves from: the registry, its runtime registrations shared. */
  readonly directory: ReplicatedDirectory;
  /**
   * Applies the shared registry (after the config servers, so that they come first in every replica's order), then
   * starts the heartbeat at `advertiseUrl` (the flag's, when given) and the status publisher.
   */
  start(listenerUrl: string): Promise<void>;
  /**
   * Settles once `start` has written this replica's first heartbeat: before, its peers cannot find it, so a session
   * it minted would get 404 on every other replica.
   */
  readonly joined: Promise<void>;
  /** The live replicas, as last seen. */
  peers(): ReadonlyMap<string, { readonly url: string }>;
  /** Where live replica `id` is (its MCP endpoint), read from the store when not seen yet; undefined when gone. */
  urlOf(id: string): Promise<string | undefined>;
  /** The key of the header that marks a request forwarded between replicas. */
  readonly hopKey: Buffer;
  /** Each replica's state of every server, read from the store now; local alone when it cannot be read. */
  readonly status: (names: readonly string[]) => Promise<ClusterStatus>;
  /** Leaves the cluster: stops the loops, withdraws the heartbeat and status, disconnects. */
  close(): Promise<void>;
}

/** Checks the key and the replica id, then connects to Redis; rejects saying what to fix. */
export async function joinCluster(settings: ClusterSettings, options: JoinOptions): Promise<Cluster> {
  const { logger, registry } = options;
  const keys = deriveClusterKeys(await loadClusterKey(settings.key, settings.keyFile));
  const replicaId = replicaIdOf(settings.replicaId);
  const store = new ClusterStore(settings.redisUrl);
  await store.connect();
  const directory = new ReplicatedDirectory(registry, store, keys.seal, replicaId, logger);
  const reconciler = new Reconciler(store, directory, {
    sealKey: keys.seal,
    logger,
    passed: () => publisher.schedule(),
    allows: (entry) =>
      options.allows({
        name: entry.name,
        command: entry.config.url ?? entry.config.command ?? '',
        args: entry.config.args,
        baseDir: entry.baseDir,
      }),
  });
  const publisher = new StatusPublisher(store, directory, reconciler.refused, replicaId, logger);
  let membership: Membership | undefined;
  const status = async (names: readonly string[]): Promise<ClusterStatus> => {
    const replicas = [...(membership?.peers().keys() ?? [])].sort();
    try {
      const servers = await readClusterStatus(store, [...new Set([...names, ...reconciler.refused.keys()])]);
      return { replica: replicaId, replicas, servers };
    } catch (error) {
      return { replica: replicaId, replicas, servers: {}, error: (error as Error).message };
    }
  };
  directory.clusterStatus = status;
  logger.info('joined the cluster', { replica: replicaId, store: describeRedisUrl(settings.redisUrl) });
  let markJoined = (): void => undefined;
  const joined = new Promise<void>((resolve) => (markJoined = resolve));

  return {
    replicaId,
    directory,
    start: async (listenerUrl) => {
      await reconciler.start();
      const url = settings.advertiseUrl ?? listenerUrl;
      membership = new Membership(store, keys.sign, { id: replicaId, url, version: GATEWAY_VERSION }, logger);
      await membership.start();
      markJoined();
      publisher.start();
    },
    joined,
    peers: () => membership?.peers() ?? new Map(),
    urlOf: async (id) => (await membership?.lookup(id))?.url,
    hopKey: keys.hop,
    status,
    close: async () => {
      reconciler.stop();
      await Promise.all([publisher.stop(), membership?.stop()]);
      store.disconnect();
    },
  };
}
