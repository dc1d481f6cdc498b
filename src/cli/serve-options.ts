/**
 * The flags of `mcp-gateway` (serving), their parsing and their checks.
 */
import { Command, InvalidArgumentError, Option } from 'commander';

import { LOG_LEVELS, type LogLevel } from '../logger.js';
import {
  AUTH_TOKEN_ENV,
  CLUSTER_KEY_ENV,
  DEFAULT_BACKEND_STARTUP_MS,
  DEFAULT_DRAIN_TIMEOUT_MS,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_REQUEST_TIMEOUT_MS,
  DEFAULT_SESSION_IDLE_MS,
  describeTokensProblem,
  EXPOSE_MODES,
  normalizeAllowedHost,
  normalizeAllowedOrigin,
  parseAuthToken,
  REDIS_URL_ENV,
  TRANSPORTS,
  type AuthToken,
  type TransportKind,
} from '../start-gateway.js';
import { GATEWAY_VERSION } from '../version.js';

/** The serving flags, as commander parses them. */
export interface CliOptions {
  autoRegister?: string;
  transport: TransportKind;
  port: number;
  host: string;
  timeout: number;
  logLevel: LogLevel;
  expose?: (typeof EXPOSE_MODES)[number];
  authToken?: string[];
  allowedHosts?: string[];
  allowedOrigins?: string[];
  allowRegister?: boolean;
  maxBodyBytes: number;
  sessionIdleTimeout: number;
  requestTimeout: number;
  /** Unset: the config's `drainTimeoutMs`, else the default. */
  drainTimeout?: number;
  watch: boolean;
  dashboard: boolean;
  startupTimeout: number;
  logFile?: string;
  stateDir?: string;
  auditLog?: string;
  redis?: string;
  clusterKeyFile?: string;
  advertiseUrl?: string;
  adminPort?: number;
}

function parseInteger(name: string, min: number, max: number) {
  return (value: string): number => {
    const number = Number(value);
    if (!/^\d+$/.test(value) || number < min || number > max) {
      throw new InvalidArgumentError(`${name} must be a whole number from ${min} to ${max}.`);
    }
    return number;
  };
}

/** A repeatable flag: every value (comma-separated lists split) normalized and collected. */
function collectList(normalize: (value: string) => string) {
  return (value: string, previous: string[] | undefined): string[] => {
    const items = value.split(',').filter((item) => item.trim() !== '');
    try {
      return [...(previous ?? []), ...items.map(normalize)];
    } catch (error) {
      throw new InvalidArgumentError((error as Error).message);
    }
  };
}

/** Tokens are collected as given and checked after parsing: commander would quote a refused value. */
function collectToken(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** The root command with the serving flags; subcommands are added by the caller. */
export function buildProgram(): Command {
  return new Command()
    .name('mcp-gateway')
    .description('One MCP endpoint in front of many backend MCP servers.')
    .version(GATEWAY_VERSION)
    .option('--auto-register <file>', 'load servers and pipelines from a JSON config file at startup')
    .option('--no-watch', 'do not reload the config file when it is saved (SIGHUP still reloads it)')
    .option('--no-dashboard', 'do not serve the dashboard at /dashboard (streamable-http)')
    .addOption(new Option('--transport <kind>', 'how clients connect').choices(TRANSPORTS).default('stdio'))
    .addOption(
      new Option('--port <n>', 'HTTP port (streamable-http)')
        .argParser(parseInteger('--port', 0, 65535))
        .default(8003),
    )
    .option('--host <addr>', 'HTTP address to bind (streamable-http)', '127.0.0.1')
    .addOption(
      new Option('--timeout <ms>', 'timeout of each backend call, in milliseconds')
        .argParser(parseInteger('--timeout', 1, 86_400_000))
        .default(10_000),
    )
    .addOption(
      new Option(
        '--startup-timeout <ms>',
        "time a backend's first handshake may take, unless its config says",
      )
        .argParser(parseInteger('--startup-timeout', 1, 86_400_000))
        .default(DEFAULT_BACKEND_STARTUP_MS),
    )
    .addOption(new Option('--log-level <level>', 'stderr log level').choices(LOG_LEVELS).default('info'))
    .option('--log-file <path>', 'also append the log to this file (for clients that swallow stderr)')
    .option(
      '--state-dir <dir>',
      'folder of the pinned definitions (default: .mcp-gateway beside the config file; with no config, in memory)',
    )
    .option(
      '--audit-log <file>',
      "write one JSON line per call and change to this file (overrides the config's audit.file)",
    )
    .addOption(
      new Option(
        '--admin-port <n>',
        'serve /metrics, /healthz and /readyz on 127.0.0.1 at this port (0 picks a free one)',
      ).argParser(parseInteger('--admin-port', 0, 65535)),
    )
    .addOption(
      // No commander default: without the flag, the config's "expose" applies (and then "all").
      new Option(
        '--expose <mode>',
        "what tools/list shows: all tools, or only the gateway's (search_tools finds the rest); default all",
      ).choices(EXPOSE_MODES),
    )
    .addOption(
      new Option(
        '--auth-token <[name=]token>',
        `bearer token HTTP clients must send, named for limits and the audit log (repeatable; default: ` +
          `$${AUTH_TOKEN_ENV}; none: loopback only)`,
      ).argParser(collectToken),
    )
    .addOption(
      new Option(
        '--allowed-hosts <names>',
        'host names accepted besides loopback ones, comma-separated',
      ).argParser(collectList(normalizeAllowedHost)),
    )
    .addOption(
      new Option(
        '--allowed-origins <origins>',
        'browser origins accepted besides loopback ones, comma-separated',
      ).argParser(collectList(normalizeAllowedOrigin)),
    )
    .option('--allow-register', 'let HTTP clients start commands with register_server (off by default)')
    .addOption(
      new Option('--max-body-bytes <n>', 'largest HTTP request body, in bytes')
        .argParser(parseInteger('--max-body-bytes', 1, 1024 * 1024 * 1024))
        .default(DEFAULT_MAX_BODY_BYTES),
    )
    .addOption(
      new Option('--session-idle-timeout <ms>', 'close an HTTP session after this long without requests')
        .argParser(parseInteger('--session-idle-timeout', 1, 86_400_000))
        .default(DEFAULT_SESSION_IDLE_MS),
    )
    .addOption(
      new Option('--request-timeout <ms>', "time for an HTTP request's headers and body to arrive")
        .argParser(parseInteger('--request-timeout', 1, 86_400_000))
        .default(DEFAULT_REQUEST_TIMEOUT_MS),
    )
    .addOption(
      new Option(
        '--drain-timeout <ms>',
        `on shutdown, time given to HTTP requests in progress (default: the config's drainTimeoutMs, else ${DEFAULT_DRAIN_TIMEOUT_MS})`,
      ).argParser(parseInteger('--drain-timeout', 0, 86_400_000)),
    )
    .option(
      '--redis <url>',
      `join a cluster of replicas sharing runtime registrations through this Redis (default: $${REDIS_URL_ENV})`,
    )
    .option(
      '--cluster-key-file <file>',
      `file with the cluster key (mode 0600), instead of $${CLUSTER_KEY_ENV}`,
    )
    .option('--advertise-url <url>', "URL other replicas reach this one at (default: the listener's)")
    .allowExcessArguments(false)
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });
}

/**
 * The tokens from `--auth-token` (each `name=token` or a token alone), or else from the environment (then removed
 * from it, so that nothing this process starts inherits it); a string is a usage error. Messages never quote a
 * token.
 */
export function readAuthTokens(fromFlags: readonly string[] | undefined): AuthToken[] | string {
  const fromEnv = process.env[AUTH_TOKEN_ENV];
  delete process.env[AUTH_TOKEN_ENV];
  const [source, values] =
    fromFlags !== undefined
      ? ['--auth-token', fromFlags]
      : [AUTH_TOKEN_ENV, fromEnv === undefined ? [] : [fromEnv]];
  const tokens = values.map(parseAuthToken);
  const problem = describeTokensProblem(tokens);
  return problem === undefined ? tokens : `${source} ${problem}`;
}
