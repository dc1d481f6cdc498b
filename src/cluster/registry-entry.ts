/**
 * One runtime registration as the cluster shares it: the server's config (command, arguments, environment,
 * headers), the folder its relative paths resolve against, and its place in the global order (`seq`). Stored
 * sealed (see `sealing.ts`) under its name in the registry hash.
 */
import { z } from 'zod';

import { ServerConfigSchema, type ServerConfig } from '../backends/server-config.js';
import { open, seal } from './sealing.js';

/** An entry of the shared registry. */
export interface RegistryEntry {
  readonly name: string;
  /** Its place in the global order: entries are applied, and their tools named, by ascending `seq`. */
  readonly seq: number;
  readonly config: ServerConfig;
  /** Folder relative paths of `config` resolve against (every replica runs the same image). */
  readonly baseDir: string;
  /** The replica it was registered on. */
  readonly registeredBy: string;
  /** When (ISO 8601). */
  readonly at: string;
}

const RegistryEntrySchema = z.object({
  name: z.string(),
  seq: z.number().int().positive(),
  config: ServerConfigSchema,
  baseDir: z.string(),
  registeredBy: z.string(),
  at: z.string(),
});

/** The entry sealed under `key`, bound to its name. */
export function sealEntry(key: Buffer, entry: RegistryEntry): string {
  return seal(key, JSON.stringify(entry), entry.name);
}

/**
 * The entry stored under `name`; throws saying why it cannot be trusted (it does not authenticate under this key,
 * or it names another server).
 */
export function openEntry(key: Buffer, name: string, sealed: string): RegistryEntry {
  const parsed = RegistryEntrySchema.safeParse(JSON.parse(open(key, sealed, name)));
  if (!parsed.success) throw new Error('its content is not a registry entry');
  if (parsed.data.name !== name) throw new Error(`it names another server (${parsed.data.name})`);
  return parsed.data;
}
