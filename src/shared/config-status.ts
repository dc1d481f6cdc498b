/**
 * What `list_servers` says of the config file a gateway runs from: which one, since when, and whether the last
 * edit could be applied.
 */
import { z } from 'zod';

/** The config file in force, as a schema: `list_servers` advertises it in its output schema. */
export const ConfigStatusSchema = z.object({
  /** The config file's absolute path. */
  file: z.string(),
  /** When the config in force was read (ISO 8601). */
  loadedAt: z.string(),
  /** Reloads applied since the gateway started. */
  reloads: z.number().int(),
  /** Whether edits of the file are applied as they are saved. */
  watching: z.boolean(),
  /** Why the last reload was refused, while the config in force stays (null once a reload succeeds). */
  lastError: z.string().nullable(),
  /** When that reload was refused (ISO 8601). */
  lastErrorAt: z.string().nullable(),
});

/** The config file in force. */
export type ConfigStatus = z.infer<typeof ConfigStatusSchema>;
