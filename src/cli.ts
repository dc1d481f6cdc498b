#!/usr/bin/env node
/**
 * The `mcp-gateway` command: parses flags, loads the config, starts the gateway, and shuts it down on a signal or
 * when the client goes away. The only file that reads argv or calls process.exit.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';

import { createImportCommand } from './commands/import/import-command.js';
import { createValidateCommand } from './commands/validate/validate-command.js';
import { loadConfig } from './config/load-config.js';
import { createStderrLogger, LOG_LEVELS, type Logger, type LogLevel } from './logger.js';
import {
  AUTH_TOKEN_ENV,
  DEFAULT_DRAIN_TIMEOUT_MS,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_REQUEST_TIMEOUT_MS,
  DEFAULT_SESSION_IDLE_MS,
  describeExposureProblem,
  describeTokenProblem,
  EXPOSE_MODES,
  normalizeAllowedHost,
  normalizeAllowedOrigin,
  startGateway,
  TRANSPORTS,
  type RunningGateway,
  type TransportKind,
} from './start-gateway.js';
import { GATEWAY_VERSION } from './version.js';

/** Exit codes: 0 after a clean shutdown, 1 when the gateway could not start, 2 for a bad flag or value. */
const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;
/**
 * Shutdown must not hang: past this (plus the HTTP drain time), the process exits anyway (the exit hook still kills
 * backend groups).
 */
const SHUTDOWN_DEADLINE_MS = 5000;

interface CliOptions {
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
  drainTimeout: number;
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

function buildProgram(): Command {
  return new Command()
    .name('mcp-gateway')
    .description('One MCP endpoint in front of many backend MCP servers.')
    .version(GATEWAY_VERSION)
    .option('--auto-register <file>', 'load servers and pipelines from a JSON config file at startup')
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
    .addOption(new Option('--log-level <level>', 'stderr log level').choices(LOG_LEVELS).default('info'))
    .addOption(
      // No commander default: without the flag, the config's "expose" applies (and then "all").
      new Option(
        '--expose <mode>',
        "what tools/list shows: all tools, or only the gateway's (search_tools finds the rest); default all",
      ).choices(EXPOSE_MODES),
    )
    .addOption(
      new Option(
        '--auth-token <token>',
        `bearer token HTTP clients must send (repeatable; default: $${AUTH_TOKEN_ENV}; none: loopback only)`,
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
      new Option('--drain-timeout <ms>', 'on shutdown, time given to HTTP requests in progress')
        .argParser(parseInteger('--drain-timeout', 0, 86_400_000))
        .default(DEFAULT_DRAIN_TIMEOUT_MS),
    )
    .allowExcessArguments(false)
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });
}

async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  // A subcommand reports its exit code here. The root needs an action of its own, or commander would show the
  // help instead of serving when no subcommand is given.
  let subcommandExit: number | undefined;
  const done = (code: number): void => {
    subcommandExit = code;
  };
  const io = { stderr: (text: string) => process.stderr.write(text), env: process.env, cwd: process.cwd() };
  program.addCommand(createValidateCommand(io, done).copyInheritedSettings(program));
  program.addCommand(createImportCommand(done));
  program.action(() => undefined);
  try {
    await program.parseAsync(argv);
    if (subcommandExit !== undefined) return subcommandExit;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here too, with exit code 0; commander already printed the message.
      return error.exitCode === 0 ? 0 : EXIT_USAGE;
    }
    throw error;
  }
  const options = program.opts<CliOptions>();
  const authTokens = readAuthTokens(options.authToken);
  if (typeof authTokens === 'string') return usageError(authTokens);
  const exposure = describeExposureProblem(options.transport, options.host, authTokens);
  if (exposure !== undefined) return usageError(exposure);
  const logger = createStderrLogger({ level: options.logLevel });

  let gateway: RunningGateway;
  try {
    const config = options.autoRegister === undefined ? undefined : await loadConfig(options.autoRegister);
    for (const warning of config?.warnings ?? []) logger.warn(`${config?.file ?? ''}: ${warning}`);
    gateway = await startGateway({
      transport: options.transport,
      host: options.host,
      port: options.port,
      timeoutMs: options.timeout,
      logger,
      config,
      allowRegister: options.allowRegister === true,
      expose: options.expose,
      http: {
        authTokens,
        allowedHosts: options.allowedHosts,
        allowedOrigins: options.allowedOrigins,
        maxBodyBytes: options.maxBodyBytes,
        sessionIdleMs: options.sessionIdleTimeout,
        requestTimeoutMs: options.requestTimeout,
        drainTimeoutMs: options.drainTimeout,
      },
    });
  } catch (error) {
    logger.error((error as Error).message);
    return EXIT_FAILURE;
  }
  const reason = await waitForShutdownReason(gateway);
  logger.info(`shutting down (${reason})`);
  // In HTTP mode requests in progress get the drain time before the backends are closed.
  const drainMs = options.transport === 'streamable-http' ? options.drainTimeout : 0;
  return shutdown(gateway, logger, SHUTDOWN_DEADLINE_MS + drainMs);
}

/**
 * The tokens from `--auth-token`, or else from the environment (then removed from it, so that nothing this process
 * starts inherits it); a string is a usage error. Messages never quote a token.
 */
function readAuthTokens(fromFlags: readonly string[] | undefined): string[] | string {
  const fromEnv = process.env[AUTH_TOKEN_ENV];
  delete process.env[AUTH_TOKEN_ENV];
  const [source, tokens] =
    fromFlags !== undefined
      ? ['--auth-token', fromFlags]
      : [AUTH_TOKEN_ENV, fromEnv === undefined ? [] : [fromEnv]];
  for (const token of tokens) {
    const problem = describeTokenProblem(token);
    if (problem !== undefined) return `${source} ${problem}`;
  }
  return [...tokens];
}

function usageError(message: string): number {
  process.stderr.write(`error: ${message}\n`);
  return EXIT_USAGE;
}

function waitForShutdownReason(gateway: RunningGateway): Promise<string> {
  return new Promise((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      process.once(signal, () => resolve(signal));
    }
    void gateway.done.then(() => resolve('the client closed stdin'));
  });
}

async function shutdown(gateway: RunningGateway, logger: Logger, deadlineMs: number): Promise<number> {
  const deadline = new Promise<number>((resolve) =>
    setTimeout(() => {
      logger.warn(`shutdown took longer than ${deadlineMs} ms; exiting anyway`);
      resolve(EXIT_FAILURE);
    }, deadlineMs).unref(),
  );
  // A second signal means "now": exit at once; the exit hook SIGKILLs what is left.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
    process.once(signal, () => process.exit(EXIT_FAILURE));
  return Promise.race([gateway.close().then(() => 0), deadline]);
}

main(process.argv).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`mcp-gateway: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(EXIT_FAILURE);
  },
);
