/**
 * The client side of one call in flight, whichever way the call arrived: what the gateway needs to reach the
 * caller on that call's stream while the call runs.
 */
import type { LoggingLevel, ServerNotification, ServerRequest } from '@modelcontextprotocol/server';

/** The client side of one call in flight. */
export interface CallerChannel {
  /** Aborted when the caller cancels the call or goes away. */
  readonly signal: AbortSignal;
  /** Sends the caller a request (sampling, elicitation, roots) tied to the call; resolves with its result. */
  sendRequest(request: ServerRequest, signal: AbortSignal): Promise<Record<string, unknown>>;
  /** Sends the caller a notification tied to the call (progress, log messages). */
  sendNotification(notification: ServerNotification): Promise<void>;
  /**
   * The log level the call itself asked for: a 2026-07-28 request's `logLevel` in its envelope, `off` when it asked
   * for none (that revision sends log messages only to requests that ask). Undefined for a 2025 call: its session's
   * level (`logging/setLevel`) applies.
   */
  readonly logLevel?: LoggingLevel | 'off' | undefined;
}
