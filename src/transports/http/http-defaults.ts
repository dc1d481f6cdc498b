/**
 * The HTTP front door's paths and defaults. Constants only: the command line reads them without loading the HTTP
 * server (and the SDK transport behind it), which a stdio gateway never needs.
 */

/** The MCP endpoint's path. */
export const MCP_PATH = '/mcp';
/** The unauthenticated liveness probe's path. */
export const HEALTH_PATH = '/healthz';
/** The unauthenticated readiness probe's path. */
export const READY_PATH = '/readyz';
/** How long a session may go without requests before it is closed: 30 minutes. */
export const DEFAULT_SESSION_IDLE_MS = 30 * 60 * 1000;
/** How long a request's headers and body may take to arrive. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
/** On shutdown, how long requests in progress may take to finish. */
export const DEFAULT_DRAIN_TIMEOUT_MS = 30_000;
/** The largest request body: 4 MiB. */
export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;
/** How many HTTP sessions may be open at once, in all (the config's `limits.sessions` changes it). */
export const DEFAULT_MAX_SESSIONS = 1000;
/** What `Retry-After` says when a new session is refused for a session limit: sessions end when idle or deleted. */
export const SESSION_RETRY_AFTER_S = 60;
