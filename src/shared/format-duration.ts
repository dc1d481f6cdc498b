/**
 * Durations as a person reads them, so that a log line, a tool error and `list_servers` say the same wait the same
 * way.
 */

/** A wait still to come (`0.5 s`, `2 s`, `30 s`): whole seconds rounded up from one second on. */
export function formatSeconds(ms: number): string {
  return ms >= 1000 ? `${Math.ceil(ms / 1000)} s` : `${(ms / 1000).toFixed(1)} s`;
}

/** A configured duration, exactly as set (`30 s`, `1500 ms`). */
export function formatDuration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

/** How long something has run (`42s`, `3m 5s`, `2h 10m`): the two largest units, rounded down. */
export function formatUptime(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${seconds % 60}s`;
  return `${Math.floor(minutes / 60)}h ${minutes % 60}m`;
}
