/**
 * What the gateway does when a backend presents a tool, prompt or resource template whose definition differs from
 * the one it pinned (see src/pins/): the config's `pinning`, at the top level and per server.
 */
import { z } from 'zod';

/**
 * `warn` (the default): log the change and show it (`list_servers`), keep serving the item. `enforce`: also withhold
 * the item (not listed, calls refused) until the change is approved. `off`: record and check nothing.
 */
export const PINNING_MODES = ['warn', 'enforce', 'off'] as const;

/** One of {@link PINNING_MODES}. */
export type PinningMode = (typeof PINNING_MODES)[number];

/** The mode of a server whose config, and the file, say nothing. */
export const DEFAULT_PINNING_MODE: PinningMode = 'warn';

/** The config's `pinning` value, with an error that names the allowed values. */
export const PinningModeSchema = z.enum(PINNING_MODES, { error: 'pinning is "warn", "enforce" or "off"' });

/** The pinning mode of each server: `servers` (the config's per-server `pinning`) over `default`. */
export interface PinningModes {
  readonly default: PinningMode;
  readonly servers?: Readonly<Record<string, PinningMode>> | undefined;
}

/**
 * The modes a config sets: its top-level `pinning` (default {@link DEFAULT_PINNING_MODE}) and each server's own.
 * `override` (the command line) replaces the top-level value, never a server's own.
 */
export function pinningModesOf(
  config:
    | {
        readonly pinning?: PinningMode | undefined;
        readonly servers?: Readonly<Record<string, { readonly pinning?: PinningMode | undefined }>>;
      }
    | undefined,
): PinningModes {
  const servers: Record<string, PinningMode> = {};
  for (const [name, server] of Object.entries(config?.servers ?? {})) {
    if (server.pinning !== undefined) servers[name] = server.pinning;
  }
  return { default: config?.pinning ?? DEFAULT_PINNING_MODE, servers };
}
