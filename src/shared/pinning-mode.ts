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
