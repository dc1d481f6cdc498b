/**
 * The composition root's way into the cluster: the settings (flags and environment), and joining when they are
 * given, loading the Redis client only then. Entries registered elsewhere are checked against this replica's own
 * `registration.allowCommands`.
 */
import type { BackendRegistry } from '../backends/backend-registry.js';
import { createRegistrationPolicy } from '../backends/registration/registration-policy.js';
import { GatewayError } from '../errors/gateway-error.js';
import type { Logger } from '../logger.js';
import { CLUSTER_KEY_ENV, REDIS_URL_ENV, REPLICA_ID_ENV, type ClusterSettings } from './cluster-key.js';
import type { Cluster } from './start-cluster.js';

/** The flags that concern clustering. */
export interface ClusterFlags {
  readonly redis?: string | undefined;
  readonly clusterKeyFile?: string | undefined;
  readonly advertiseUrl?: string | undefined;
}

/**
 * The cluster settings from the flags and `env`, or undefined when clustering is off (no `--redis`, no
 * {@link REDIS_URL_ENV}). The key is removed from `env`, so that nothing this process starts inherits it.
 */
export { CLUSTER_KEY_ENV, REDIS_URL_ENV, REPLICA_ID_ENV, type ClusterSettings };

export function clusterSettingsFrom(
  flags: ClusterFlags,
  env: NodeJS.ProcessEnv,
): ClusterSettings | undefined {
  const key = env[CLUSTER_KEY_ENV];
  delete env[CLUSTER_KEY_ENV];
  const redisUrl = flags.redis ?? env[REDIS_URL_ENV];
  if (redisUrl === undefined || redisUrl === '') return undefined;
  const { clusterKeyFile: keyFile, advertiseUrl } = flags;
  return { redisUrl, key, keyFile, advertiseUrl, replicaId: env[REPLICA_ID_ENV] };
}

/** What of the config the cluster reads: this replica's allowlist (a reload may change it). */
interface AllowlistSource {
  readonly registration?: { readonly allowCommands?: readonly string[] | undefined } | undefined;
  /** Folder relative entries of `allowCommands` resolve against. */
  readonly baseDir?: string | undefined;
}

/** The cluster joined, or undefined without settings; rejects saying what to fix (key, replica id, Redis). */
export async function joinIfClustered(
  gateway: { readonly cluster?: ClusterSettings | undefined; readonly transport: string },
  options: { registry: BackendRegistry; logger: Logger; config: () => AllowlistSource | undefined },
): Promise<Cluster | undefined> {
  const settings = gateway.cluster;
  if (settings === undefined) return undefined;
  if (gateway.transport !== 'streamable-http') {
    throw new GatewayError('invalid_config', '--redis (clustering) needs --transport streamable-http');
  }
  const { registry, logger } = options;
  const { joinCluster } = await import('./start-cluster.js');
  return joinCluster(settings, {
    registry,
    logger,
    // Built per check: cheap, and always from the config in force.
    allows: (request) => {
      const config = options.config();
      const policy = createRegistrationPolicy({
        enabled: true,
        allowCommands: config?.registration?.allowCommands,
        allowlistBaseDir: config?.baseDir,
        logger,
      });
      return policy.authorize(request);
    },
  });
}
