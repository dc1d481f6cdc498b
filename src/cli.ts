#!/usr/bin/env node
/**
 * The `mcp-gateway` command: parses flags, loads the config, starts the gateway, and shuts it down on a signal or
 * when the client goes away. The only file that reads argv or calls process.exit.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';

import { loadConfig } from './config/load-config.js';
import { createStderrLogger, LOG_LEVELS, type Logger, type LogLevel } from './logger.js';
import { startGateway, TRANSPORTS, type GatewayHandle, type TransportKind } from './start-gateway.js';
import { GATEWAY_VERSION } from './version.js';

/** Exit codes: 0 after a clean shutdown, 1 when the gateway could not start, 2 for a bad flag or value. */
const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;
/** Shutdown must not hang: past this, the process exits anyway (the exit hook still kills backend groups). */
const SHUTDOWN_DEADLINE_MS = 5000;

interface CliOptions {
  autoRegister?: string;
  transport: TransportKind;
  port: number;
  host: string;
  timeout: number;
  logLevel: LogLevel;
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
    .allowExcessArguments(false)
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });
}

async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    program.parse(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here too, with exit code 0; commander already printed the message.
      return error.exitCode === 0 ? 0 : EXIT_USAGE;
    }
    throw error;
  }
  const options = program.opts<CliOptions>();
  const logger = createStderrLogger({ level: options.logLevel });

  let gateway: GatewayHandle;
  try {
    const config = options.autoRegister === undefined ? undefined : await loadConfig(options.autoRegister);
    gateway = await startGateway({
      transport: options.transport,
      host: options.host,
      port: options.port,
      timeoutMs: options.timeout,
      logger,
      config,
    });
  } catch (error) {
    logger.error((error as Error).message);
    return EXIT_FAILURE;
  }
  const reason = await waitForShutdownReason(gateway);
  logger.info(`shutting down (${reason})`);
  return shutdown(gateway, logger);
}

function waitForShutdownReason(gateway: GatewayHandle): Promise<string> {
  return new Promise((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      process.once(signal, () => resolve(signal));
    }
    void gateway.done.then(() => resolve('the client closed stdin'));
  });
}

async function shutdown(gateway: GatewayHandle, logger: Logger): Promise<number> {
  const deadline = new Promise<number>((resolve) =>
    setTimeout(() => {
      logger.warn(`shutdown took longer than ${SHUTDOWN_DEADLINE_MS} ms; exiting anyway`);
      resolve(EXIT_FAILURE);
    }, SHUTDOWN_DEADLINE_MS).unref(),
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
