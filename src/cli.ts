#!/usr/bin/env node
/**
 * The `mcp-gateway` command: the subcommands (`validate`, `import`, `pins`), or serving: parses the flags, loads the config,
 * starts the gateway, reloads it on SIGHUP, and shuts it down on a signal or when the client goes away. With
 * `cli/process-lifecycle.ts` (a second signal), the only place that calls process.exit.
 */
import { CommanderError } from 'commander';

import { buildProgram, readAuthTokens, type CliOptions } from './cli/serve-options.js';
import { EXIT_FAILURE, shutdown, watchProcessSignals } from './cli/process-lifecycle.js';
import { terminalHint } from './cli/terminal-hint.js';
import { createImportCommand } from './commands/import/import-command.js';
import { createPinsCommand } from './commands/pins/pins-command.js';
import { createValidateCommand } from './commands/validate/validate-command.js';
import { loadConfig } from './config/load-config.js';
import { createStderrLogger, stderrAndFile } from './logger.js';
import {
  clusterSettingsFrom,
  DEFAULT_DRAIN_TIMEOUT_MS,
  describeExposureProblem,
  startGateway,
  type RunningGateway,
} from './start-gateway.js';

/** Exit code of a bad flag or value. */
const EXIT_USAGE = 2;
/**
 * Shutdown must not hang: past this (plus the HTTP drain time), the process exits anyway (the exit hook still kills
 * backend groups).
 */
const SHUTDOWN_DEADLINE_MS = 5000;

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
  program.addCommand(
    createPinsCommand({ ...io, stdout: (text: string) => process.stdout.write(text) }, done),
  );
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
  return serve(program.opts<CliOptions>(), argv);
}

async function serve(options: CliOptions, argv: readonly string[]): Promise<number> {
  const authTokens = readAuthTokens(options.authToken);
  if (typeof authTokens === 'string') return usageError(authTokens);
  // With a config file, its "auth" section may be what guards the listener: checked again once it is read.
  const exposure = describeExposureProblem(
    options.transport,
    options.host,
    authTokens,
    !!options.autoRegister,
  );
  if (exposure !== undefined) return usageError(exposure);
  let write: ((line: string) => void) | undefined;
  try {
    write = options.logFile === undefined ? undefined : stderrAndFile(options.logFile);
  } catch (error) {
    return usageError(`--log-file ${options.logFile}: ${(error as Error).message}`);
  }
  const logger = createStderrLogger({ level: options.logLevel, write });
  if (options.transport === 'stdio' && process.stdin.isTTY) {
    for (const line of terminalHint(argv, process.cwd())) logger.info(line);
  }

  const signals = watchProcessSignals();
  let gateway: RunningGateway;
  let drainTimeoutMs = options.drainTimeout ?? DEFAULT_DRAIN_TIMEOUT_MS;
  try {
    const config = options.autoRegister === undefined ? undefined : await loadConfig(options.autoRegister);
    for (const warning of config?.warnings ?? []) logger.warn(`${config?.file ?? ''}: ${warning}`);
    const unguarded = describeExposureProblem(options.transport, options.host, authTokens, !!config?.auth);
    if (unguarded !== undefined) return usageError(unguarded);
    drainTimeoutMs = options.drainTimeout ?? config?.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS;
    gateway = await startGateway({
      transport: options.transport,
      host: options.host,
      port: options.port,
      timeoutMs: options.timeout,
      startupTimeoutMs: options.startupTimeout,
      logger,
      config,
      watch: options.watch,
      dashboard: options.dashboard,
      auditLog: options.auditLog,
      adminPort: options.adminPort,
      stopping: signals.stopping,
      allowRegister: options.allowRegister === true,
      expose: options.expose,
      cluster: clusterSettingsFrom(options, process.env),
      stateDir: options.stateDir,
      http: {
        authTokens,
        allowedHosts: options.allowedHosts,
        allowedOrigins: options.allowedOrigins,
        maxBodyBytes: options.maxBodyBytes,
        sessionIdleMs: options.sessionIdleTimeout,
        requestTimeoutMs: options.requestTimeout,
        drainTimeoutMs,
      },
    });
  } catch (error) {
    logger.error((error as Error).message);
    return EXIT_FAILURE;
  }
  const reason = await signals.shutdownReason(gateway);
  logger.info(`shutting down (${reason})`);
  // In HTTP mode requests in progress get the drain time before the backends are closed.
  const drainMs = options.transport === 'streamable-http' ? drainTimeoutMs : 0;
  return shutdown(gateway, logger, SHUTDOWN_DEADLINE_MS + drainMs);
}

function usageError(message: string): number {
  process.stderr.write(`error: ${message}\n`);
  return EXIT_USAGE;
}

main(process.argv).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`mcp-gateway: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(EXIT_FAILURE);
  },
);
