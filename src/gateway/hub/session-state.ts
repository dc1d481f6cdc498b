/**
 * One connected client as the hub sees it: how to reach it outside a call, what its session advertised, and what
 * it asked to hear.
 */
import type { ClientCapabilities, ServerNotification, ServerRequest } from '@modelcontextprotocol/server';
import type { ClientInfo, SessionIdentity } from '../../shared/observation.js';
import type { ObservationHub } from '../observation-hub.js';
import type { SessionAccess } from '../access/access-policy.js';
import type { LogThreshold } from './log-levels.js';

/** What a session advertised in its `initialize` answer, beyond tools. */
export interface AdvertisedCapabilities {
  readonly resources: boolean;
  readonly prompts: boolean;
  readonly logging: boolean;
  readonly completions: boolean;
  /** Task-augmented `tools/call` and `tasks/*` (2025-11-25), when a backend runs tools as tasks. */
  readonly tasks: boolean;
}

/** How the gateway reaches one client on the session's own stream (not tied to a call). */
export interface SessionPeer {
  /** What the client said it can do, once it has initialized. */
  clientCapabilities(): ClientCapabilities | undefined;
  /** Sends a notification (list changes, resource updates, log messages). */
  notify(notification: ServerNotification): Promise<void>;
  /** Sends a request (sampling, elicitation, roots) and resolves with its result, unchanged. */
  request(request: ServerRequest, signal: AbortSignal): Promise<Record<string, unknown>>;
}

/** One connected client. */
export interface SessionState {
  /** `s3 claude-ai/0.1.0`: the session's number in this process and the client it says it is, for logs. */
  readonly label: string;
  readonly peer: SessionPeer;
  readonly advertised: AdvertisedCapabilities;
  /**
   * Set by `logging/setLevel`; backend log messages below it are not sent to this session. `off` for a 2026-07-28
   * client: it hears log messages only during the requests that ask for them.
   */
  logLevel: LogThreshold;
  /** Resource URIs this session subscribed to. */
  readonly subscriptions: Set<string>;
  /**
   * Whether this session's `tools/list` shows backend tools (expose mode `all`). A session that shows only the
   * gateway's own tools is not told when backend tools change: its list has not.
   */
  readonly listsBackendTools: boolean;
  /** Who the client is and how it came: what the gateway's events and gates know of it. */
  readonly identity: SessionIdentity;
  /** What the session may see and call (its principal's access rights, bound for its life). */
  readonly access: SessionAccess;
  /** The client's name and version, once it declared them. */
  client(): ClientInfo | undefined;
  /** The gateway's event source, which the call path reports to and asks the gates of. */
  readonly observation: ObservationHub;
}
