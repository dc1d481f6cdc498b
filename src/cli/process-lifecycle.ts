/**
 * The serving process's signals and its end: SIGINT and SIGTERM shut the gateway down (a second one exits at
 * once), SIGHUP reloads its config file, and the end of stdin (stdio) shuts it down too.
 */
import type { Logger } from '../logger.js';
import type { RunningGateway } from '../start-gateway.js';

/** Exit code of a gateway that could not start or stop cleanly. */
export const EXIT_FAILURE = 1;

/**
 * Resolves with why the gateway should stop: a signal, or the client closing stdin. Meanwhile each SIGHUP reloads
 * the config file.
 */
export function waitForShutdownReason(gateway: RunningGateway): Promise<string> {
  process.on('SIGHUP', () => void gateway.reload('SIGHUP'));
  return new Promise((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => resolve(signal));
    }
    void gateway.done.then(() => resolve('the client closed stdin'));
  });
}

/** Closes the gateway within `deadlineMs`; resolves with the exit code. */
export async function shutdown(gateway: RunningGateway, logger: Logger, deadlineMs: number): Promise<number> {
  const deadline = new Promise<number>((resolve) =>
    setTimeout(() => {
      logger.warn(`shutdown took longer than ${deadlineMs} ms; exiting anyway`);
      resolve(EXIT_FAILURE);
    }, deadlineMs).unref(),
  );
  // A second signal means "now": exit at once; the exit hook SIGKILLs what is left.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(EXIT_FAILURE));
  return Promise.race([gateway.close().then(() => 0), deadline]);
}
