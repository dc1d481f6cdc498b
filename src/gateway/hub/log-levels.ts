import { LOG_LEVEL_META_KEY, type LoggingLevel } from '@modelcontextprotocol/server';

const LOG_SEVERITY: Readonly<Record<LoggingLevel, number>> = {
  debug: 0,
  info: 1,
  notice: 2,
  warning: 3,
  error: 4,
  critical: 5,
  alert: 6,
  emergency: 7,
};

/**
 * What a client asked to hear: log messages of a level and up, none (`off`), or whatever comes (undefined: a 2025
 * session that sent no `logging/setLevel`).
 */
export type LogThreshold = LoggingLevel | 'off' | undefined;

/**
 * Whether a log message of `level` reaches a client that asked for `wanted` (see {@link LogThreshold}); a message
 * without a level reaches any client that did not turn logs off.
 */
export function logLevelPasses(level: LoggingLevel | undefined, wanted: LogThreshold): boolean {
  if (wanted === 'off') return false;
  return wanted === undefined || level === undefined || LOG_SEVERITY[level] >= LOG_SEVERITY[wanted];
}

/** The level a 2026-07-28 request's envelope asks for (`off` when none); undefined for a 2025 request. */
export function envelopeLogLevel(envelope: Readonly<Record<string, unknown>> | undefined): LogThreshold {
  if (envelope === undefined) return undefined;
  const level = envelope[LOG_LEVEL_META_KEY];
  return typeof level === 'string' && Object.hasOwn(LOG_SEVERITY, level) ? (level as LoggingLevel) : 'off';
}
