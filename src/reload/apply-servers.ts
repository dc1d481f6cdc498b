/**
 * Applying an edited config's servers to a running registry: the difference only. Added servers start, removed
 * ones stop, changed ones restart in their place, and untouched ones keep their process and their sessions.
 */
import { isDeepStrictEqual } from 'node:util';

import type { BackendRegistry } from '../backends/backend-registry.js';
import type { ServerConfig } from '../backends/server-config.js';
import type { Logger } from '../logger.js';

/** What a reload did to the servers, by name. */
export interface ServerChanges {
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly changed: readonly string[];
  readonly unchanged: readonly string[];
}

/** The difference between the servers in force and the edited ones (entries compared after variable expansion). */
export function diffServers(
  before: Readonly<Record<string, ServerConfig>>,
  after: Readonly<Record<string, ServerConfig>>,
): ServerChanges {
  const added: string[] = [];
  const changed: string[] = [];
  const unchanged: string[] = [];
  for (const [name, config] of Object.entries(after)) {
    const previous = before[name];
    if (previous === undefined) added.push(name);
    else if (isDeepStrictEqual(withoutPinning(previous), withoutPinning(config))) unchanged.push(name);
    else changed.push(name);
  }
  const removed = Object.keys(before).filter((name) => !(name in after));
  return { added, removed, changed, unchanged };
}

/** The entry without `pinning`: a server whose pinning mode alone changed keeps its process (the mode is the pins'). */
function withoutPinning(config: ServerConfig): ServerConfig {
  const { pinning: _pinning, ...rest } = config;
  return rest;
}

/**
 * Applies `changes` to `registry`: removals first (their names may be taken again), then additions and changes
 * together. A server the config adds under a name a client registered at runtime replaces that one. Start failures
 * are the backends' to report (they stay listed as failed and retry); nothing here throws for them.
 */
export async function applyServerChanges(
  registry: BackendRegistry,
  changes: ServerChanges,
  servers: Readonly<Record<string, ServerConfig>>,
  options: { readonly baseDir: string; readonly logger: Logger },
): Promise<void> {
  const { logger } = options;
  const register = { baseDir: options.baseDir, keepOnFailure: true };
  await Promise.allSettled(
    changes.removed.filter((name) => registry.get(name) !== undefined).map((name) => registry.remove(name)),
  );
  const started = [...changes.added, ...changes.changed].map((name) => {
    const config = servers[name];
    if (config === undefined) return Promise.resolve();
    if (changes.added.includes(name) && registry.get(name) !== undefined) {
      logger.warn(`server "${name}" of the config replaces the one registered at runtime under that name`);
    }
    return registry.replace(name, config, register).then(
      () => undefined,
      // Reported by the registry (and shown by list_servers); the reload itself goes on.
      () => undefined,
    );
  });
  await Promise.all(started);
}
