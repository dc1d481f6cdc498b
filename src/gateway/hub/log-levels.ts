import type { LoggingLevel } from '@modelcontextprotocol/server';

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
 * Whether a log message of `level` reaches a session that asked for `wanted` and up (`logging/setLevel`): a session
 * that set no level, or a message without one, gets it.
 */
export function logLevelPasses(level: LoggingLevel | undefined, wanted: LoggingLevel | undefined): boolean {
  return wanted === undefined || level === undefined || LOG_SEVERITY[level] >= LOG_SEVERITY[wanted];
}
