/**
 * What the dashboard watches and acts on, as the composition root hands it over: the backends, the pins waiting
 * for approval and the observation seam. The dashboard knows no backend, pin store or gateway implementation.
 * Every view here is already free of secrets (no environment values, headers, tokens or argument values).
 */
import type { BackendState } from '../shared/backend-info.js';
import type { GatewayObservation } from '../shared/observation.js';

/** One backend as the page shows it. */
export interface BackendView {
  readonly name: string;
  readonly state: BackendState;
  readonly description: string;
  /**
   * What runs: the program's file name (no arguments, which may hold secrets), or a remote backend's origin (no
   * path, query or credentials).
   */
  readonly program: string;
  readonly pid: number | null;
  readonly uptimeMs: number | null;
  readonly restarts: number;
  readonly calls: number;
  readonly errors: number;
  /** ISO 8601, while a restart is scheduled. */
  readonly nextRetryAt: string | null;
  /** The last error, the command line in it replaced by {@link program}. */
  readonly lastError: string | null;
  readonly tools: readonly string[];
  /** Where a person authorizes the gateway, while the backend waits for that (`needs_authorization`). */
  readonly authorizationUrl?: string | undefined;
  /** For a backend that connects per principal: how many are connected, how many wait to authorize (never who). */
  readonly principals?: { readonly connected: number; readonly needsAuthorization: number } | undefined;
}

/** A changed definition waiting for approval (see docs/pinning.md). */
export interface PendingPinView {
  readonly server: string;
  readonly kind: string;
  readonly name: string;
  readonly changedFields: readonly string[];
  readonly mode: string;
  readonly withheld: boolean;
  /** ISO 8601. */
  readonly firstSeen: string;
}

/** The actions a dashboard user may take, each done for `principal` and recorded as theirs. */
export interface DashboardActions {
  restart(server: string, principal: string): Promise<void>;
  enable(server: string, principal: string): Promise<void>;
  disable(server: string, principal: string): Promise<void>;
  /** Approves the pending definition of one item (`kind` and `name`), or every pending one of `server`. */
  approve(server: string, principal: string, kind?: string, name?: string): Promise<void>;
}

/** The live parts of a gateway the dashboard shows. */
export interface DashboardSources {
  readonly observation: GatewayObservation;
  backends(): readonly BackendView[];
  pendingPins(): readonly PendingPinView[];
  /** Calls `listener` whenever a backend changed (added, removed, state, tools); returns the unsubscriber. */
  onBackendsChanged(listener: () => void): () => void;
  /** Calls `listener` whenever the pending pins may have changed; returns the unsubscriber. */
  onPinsChanged(listener: () => void): () => void;
  readonly actions: DashboardActions;
}
