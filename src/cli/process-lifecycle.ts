/**
 * The serving process's signals and its end: SIGINT and SIGTERM shut the gateway down (a second one exits at
 * once), SIGHUP reloads its config file, and the end of stdin (stdio) shuts it down too; from before the gateway
 * starts until it exits.
 */
import type { Logger } from '../logger.js';
import type { RunningGateway } from '../start-gateway.js';

/** Exit code of a gateway that could not start or stop cleanly. */
export const EXIT_FAILURE = 1;

/** The process's signals, handled from before the gateway starts until it exits. */
export interface ProcessSignals {
  /** Aborted at the first SIGINT or SIGTERM, also while the gateway is still starting. */
  readonly stopping: AbortSignal;
  /**
   * Resolves with why `gateway` should stop: a signal (received before or after it started), or the client closing
   * stdin. From now on each SIGHUP reloads its config file; one received while it started reloads it now.
   */
  shutdownReason(gateway: RunningGateway): Promise<string>;
}

/**
 * Takes over SIGINT, SIGTERM and SIGHUP for the serving process. Installed before anything starts: left to their
 * default, a signal during startup would end the gateway without closing the backends it had started, and a SIGHUP
 * would end it outright. A second SIGINT or SIGTERM means "now": the process exits at once, and the exit hook
 * SIGKILLs the process groups left.
 */
export function watchProcessSignals(): ProcessSignals {
  const controller = new AbortController();
  let gateway: RunningGateway | undefined;
  let reloadPending = false;
  process.on('SIGHUP', () => {
    if (gateway) void gateway.reload('SIGHUP');
    else reloadPending = true;
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (controller.signal.aborted) process.exit(EXIT_FAILURE);
      controller.abort(signal);
    });
  }
  const reason = (): string => String(controller.signal.reason);
  return {
    stopping: controller.signal,
    shutdownReason: (running) => {
      gateway = running;
      if (controller.signal.aborted) return Promise.resolve(reason());
      if (reloadPending) void running.reload('SIGHUP');
      return new Promise((resolve) => {
        controller.signal.addEventListener('abort', () => resolve(reason()), { once: true });
        void running.done.then(() => resolve('the client closed stdin'));
      });
    },
  };
}

/** Closes the gateway within `deadlineMs`; resolves with the exit code. */
export async function shutdown(gateway: RunningGateway, logger: Logger, deadlineMs: number): Promise<number> {
  const deadline = new Promise<number>((resolve) =>
    setTimeout(() => {
      logger.warn(`shutdown took longer than ${deadlineMs} ms; exiting anyway`);
      resolve(EXIT_FAILURE);
    }, deadlineMs).unref(),
  );
  return Promise.race([gateway.close().then(() => 0), deadline]);
}
