/**
 * What the gateway shows of one backend (`list_servers`), as a zod schema: the tool advertises it as its output
 * schema, and the type every backend's `info()` returns is inferred from it, so the two cannot drift.
 */
import { z } from 'zod';

/**
 * Where a backend is in its life: `starting` (spawned, handshake under way), `ready`, `failed` (a restart may be
 * due: see `nextRetryAt`), `stopped` (removed, or the gateway is shutting down), `disabled` (listed by the config
 * with `"disabled": true`, never started), `needs_authorization` (a remote backend waits for a person to authorize
 * the gateway at `authorizationUrl`).
 */
export const BACKEND_STATES = [
  'starting',
  'ready',
  'failed',
  'stopped',
  'disabled',
  'needs_authorization',
] as const;

/** One of {@link BACKEND_STATES}. */
export type BackendState = (typeof BACKEND_STATES)[number];

/** A backend's state as a schema. */
export const BackendStateSchema = z.enum(BACKEND_STATES);

/** A snapshot of one backend. */
export const BackendInfoSchema = z.object({
  name: z.string(),
  state: BackendStateSchema,
  description: z.string(),
  /** The command line (arguments quoted when needed) or the URL; never environment values or headers. */
  command: z.string(),
  pid: z.number().int().nullable(),
  uptimeMs: z.number().int().nullable(),
  /** The tools clients can reach: the backend's own names, its `tools` filter applied. */
  toolCount: z.number().int(),
  tools: z.array(z.string()),
  calls: z.number().int(),
  errors: z.number().int(),
  /** Restart attempts since registration. */
  restarts: z.number().int(),
  /** When the next restart attempt is due (ISO 8601), while one is scheduled. */
  nextRetryAt: z.string().nullable(),
  /** Lines on the backend's stdout that were not JSON-RPC and were skipped, on the current connection. */
  skippedLines: z.number().int(),
  lastError: z.string().nullable(),
  /** The URL a person opens to authorize the gateway, while the state is `needs_authorization`. */
  authorizationUrl: z.string().optional(),
  /**
   * For a backend that connects per principal (`oauth.perPrincipal`): how many principals are connected now and how
   * many wait for their person to authorize. Counts only: never who.
   */
  principals: z.object({ connected: z.number().int(), needsAuthorization: z.number().int() }).optional(),
});

/** A snapshot of one backend, for `list_servers`. */
export type BackendInfo = z.infer<typeof BackendInfoSchema>;

/** One replica's copy of one backend. `refused`: the replica will not run the entry (see its `lastError`). */
export const ReplicaBackendStatusSchema = z.object({
  state: z.string(),
  toolCount: z.number().int(),
  lastError: z.string().nullable(),
  /** When the replica wrote it (ISO 8601). */
  at: z.string(),
});

/** One replica's copy of one backend. */
export type ReplicaBackendStatus = z.infer<typeof ReplicaBackendStatusSchema>;

/** Server name → replica id → status. */
export type ClusterServerStatus = Record<string, Record<string, ReplicaBackendStatus>>;

/** The cluster as `list_servers` reports it. */
export const ClusterStatusSchema = z.object({
  /** This replica's id. */
  replica: z.string(),
  /** Live replicas (their heartbeats), by id. */
  replicas: z.array(z.string()),
  servers: z.record(z.string(), z.record(z.string(), ReplicaBackendStatusSchema)),
  /** Set when the store could not be read: the servers above are then this replica's alone. */
  error: z.string().optional(),
});

/** The cluster as `list_servers` reports it. */
export type ClusterStatus = z.infer<typeof ClusterStatusSchema>;

/** Reads each replica's state of the servers named (never rejects: a store it cannot read is said in `error`). */
export type ClusterStatusSource = (names: readonly string[]) => Promise<ClusterStatus>;
