/**
 * The config file of a running gateway kept live: a reloader, and a watch of the file when asked for. What a reload
 * changes beyond the registry and the pipelines (`expose`, `registration`) is applied through the callbacks the
 * composition root passes in.
 */
import type { LoadedConfig } from '../config/load-config.js';
import type { Logger } from '../logger.js';
import type { ConfigStatus } from '../shared/config-status.js';
import { ConfigReloader, type ReloadTargets } from './config-reloader.js';
import { watchConfig, type ConfigWatch } from './watch-config.js';

/** Options of {@link startLiveConfig}. */
export interface LiveConfigOptions extends ReloadTargets {
  readonly config: LoadedConfig;
  /** Reload on every save of the file. */
  readonly watch: boolean;
  readonly logger: Logger;
}

/** A live config. */
export interface LiveConfig {
  /** Reloads now (SIGHUP); see {@link ConfigReloader.reload}. */
  reload(reason: string): Promise<void>;
  status(): ConfigStatus;
  /** Stops watching the file. */
  close(): Promise<void>;
}

/** Starts keeping `options.config` live; resolves once the file is watched (when asked). */
export async function startLiveConfig(options: LiveConfigOptions): Promise<LiveConfig> {
  const { logger } = options;
  const reloader = new ConfigReloader(options.config, options);
  let watching: ConfigWatch | undefined;
  if (options.watch) {
    watching = await watchConfig(
      options.config.file,
      () => void reloader.reload('the file changed'),
      (error) => logger.warn('watching the config file failed', { error: error.message }),
    );
    logger.info(`watching ${options.config.file}: saved edits are applied`);
  }
  return {
    reload: (reason) => reloader.reload(reason),
    status: () => ({ ...reloader.status(), watching: watching !== undefined }),
    close: async () => {
      await watching?.close();
      watching = undefined;
    },
  };
}
