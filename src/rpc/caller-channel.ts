/**
 * The client side of one call in flight, whichever way the call arrived: what the gateway needs to reach the
 * caller on that call's stream while the call runs.
 */
import type { ServerNotification, ServerRequest } from '@modelcontextprotocol/server';

/** The client side of one call in flight. */
export interface CallerChannel {
  /** Aborted when the caller cancels the call or goes away. */
  readonly signal: AbortSignal;
  /** Sends the caller a request (sampling, elicitation, roots) tied to the call; resolves with its result. */
  sendRequest(request: ServerRequest, signal: AbortSignal): Promise<Record<string, unknown>>;
  /** Sends the caller a notification tied to the call (progress, log messages). */
  sendNotification(notification: ServerNotification): Promise<void>;
}
