/**
 * The first start of the servers a config file names, when the gateway starts serving.
 */
import type { BackendRegistry } from '../backends/backend-registry.js';
import type { LoadedConfig } from '../config/load-config.js';
import type { Logger } from '../logger.js';
import { applyServerChanges, diffServers } from './apply-servers.js';

/** Starts the config's backends, concurrently (the first attempt of each); failures are logged and retried. */
export async function registerConfiguredServers(
  registry: BackendRegistry,
  config: LoadedConfig | undefined,
  logger: Logger,
): Promise<void> {
  if (!config) return;
  const entries = Object.keys(config.servers);
  await applyServerChanges(registry, diffServers({}, config.servers), config.servers, {
    baseDir: config.baseDir,
    logger,
  });
  const states = registry.list().map((backend) => backend.state);
  const ready = states.filter((state) => state === 'ready').length;
  const disabled = states.filter((state) => state === 'disabled').length;
  logger.info(
    `ready: ${ready} of ${entries.length} configured server(s) ready` +
      (disabled > 0 ? `, ${disabled} disabled` : '') +
      (ready + disabled < entries.length ? '; list_servers says why the others are not' : ''),
    { config: config.file },
  );
}
