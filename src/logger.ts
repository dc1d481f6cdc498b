/**
 * Logging for the gateway. stdout belongs to the MCP protocol in stdio mode, so every log line goes to stderr,
 * in every mode (and to a log file when asked). This is the only file allowed to write to the console.
 */
import { openSync, writeSync } from 'node:fs';

/** Severity levels, lowest first. `silent` disables logging. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;

/** One of {@link LOG_LEVELS}. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Structured context attached to a log line; values are printed as JSON. */
export type LogFields = Readonly<Record<string, unknown>>;

/** Where the gateway's diagnostics go. Implementations must never write to stdout. */
export interface Logger {
  /** Detail useful when debugging a backend or a client. */
  debug(message: string, fields?: LogFields): void;
  /** Lifecycle events: a backend started, a server listens. */
  info(message: string, fields?: LogFields): void;
  /** Something failed but the gateway carries on. */
  warn(message: string, fields?: LogFields): void;
  /** Something failed that the operator should look at. */
  error(message: string, fields?: LogFields): void;
  /** A logger whose lines carry `[name]` after the gateway's own prefix. */
  child(name: string): Logger;
  /** Whether lines of `level` are written: lets a hot path skip building a line nobody reads. */
  enabled(level: Exclude<LogLevel, 'silent'>): boolean;
}

const SEVERITY: Readonly<Record<LogLevel, number>> = { debug: 0, info: 1, warn: 2, error: 3, silent: 4 };

/** Options for {@link createStderrLogger}. */
export interface StderrLoggerOptions {
  /** Lines below this level are dropped. Default `info`. */
  level?: LogLevel;
  /** Where lines are written; defaults to `process.stderr`. Tests pass their own sink. */
  write?: (line: string) => void;
}

/** Creates a {@link Logger} writing one line per entry to stderr: `mcp-gateway[scope] level: message {fields}`. */
export function createStderrLogger(options: StderrLoggerOptions = {}): Logger {
  const threshold = SEVERITY[options.level ?? 'info'];
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  const make = (scope: string): Logger => {
    const log = (level: Exclude<LogLevel, 'silent'>, message: string, fields?: LogFields): void => {
      if (SEVERITY[level] < threshold) return;
      const suffix = fields && Object.keys(fields).length > 0 ? ` ${safeJson(fields)}` : '';
      write(`mcp-gateway${scope} ${level}: ${message}${suffix}\n`);
    };
    return {
      debug: (message, fields) => log('debug', message, fields),
      info: (message, fields) => log('info', message, fields),
      warn: (message, fields) => log('warn', message, fields),
      error: (message, fields) => log('error', message, fields),
      child: (name) => make(`${scope}[${name}]`),
      enabled: (level) => SEVERITY[level] >= threshold,
    };
  };
  return make('');
}

/** A logger that drops everything: the default for library users and in-memory tests. */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
  enabled: () => false,
};

/**
 * A sink that writes each line to stderr and appends it to `file` too, for clients that swallow the stderr of the
 * servers they start. The file is created readable by its owner only; each line is written at once (synchronously),
 * so that nothing is lost when the process exits.
 */
export function stderrAndFile(file: string): (line: string) => void {
  const fd = openSync(file, 'a', 0o600);
  return (line) => {
    process.stderr.write(line);
    try {
      writeSync(fd, line);
    } catch {
      // A full disk or a file removed under us must not stop the gateway: stderr still has the line.
    }
  };
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    // A cyclic or exotic value must not turn a log line into a crash.
    return '[unserializable]';
  }
}
