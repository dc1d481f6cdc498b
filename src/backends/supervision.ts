/**
 * Keeping a backend alive: restarts with exponential backoff after its connection is lost (a bounded number in a
 * row, the count reset after a stable run), and an optional health-check ping that abandons a backend that stops
 * answering, which then counts as lost.
 */
import type { GatewayError } from '../errors/gateway-error.js';
import type { Logger } from '../logger.js';
import { formatSeconds } from '../shared/format-duration.js';
import type { BackendSpec } from './backend-spec.js';
import type { BackendConnection } from './connection/connection.js';
import { restartDelayMs } from './restart-policy.js';

/** What the supervisor does to its backend. */
export interface SupervisedBackend {
  readonly logger: Logger;
  /** Whether the backend is being removed: nothing is scheduled then. */
  isStopping(): boolean;
  /** Whether `connection` is still the backend's current, ready one. */
  isCurrent(connection: BackendConnection): boolean;
  /** Opens a new connection and makes it current; rejects with a `GatewayError` when it could not. */
  reconnect(): Promise<void>;
  /** Records an attempt that failed (state `failed`, last error, with `note` after it when given). */
  failed(error: GatewayError, note?: string): void;
  /** Says that the backend's state changed. */
  changed(): void;
}

/** The restart and health-check timers of one backend. */
export class Supervisor {
  private restartsInARow = 0;
  private restartCount = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private retryAt: number | undefined;
  private healthTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly spec: Pick<BackendSpec, 'restart' | 'healthCheck'>,
    private readonly backend: SupervisedBackend,
  ) {}

  /** Restart attempts so far. */
  get restarts(): number {
    return this.restartCount;
  }

  /** When the next restart is due (epoch ms), while one is scheduled. */
  get nextRetryAt(): number | undefined {
    return this.retryAt;
  }

  /**
   * The backend's connection ended without being asked to, after running `ranForMs`: schedules a restart if the
   * policy allows one. Returns why no restart comes when the policy ran out (`gave up after 5 restart(s) in a row`).
   */
  connectionLost(ranForMs: number): string | undefined {
    this.stop();
    if (ranForMs >= this.spec.restart.resetAfterMs) this.restartsInARow = 0;
    return this.scheduleRestart();
  }

  /**
   * The backend's first start failed: retries under the same policy as a crash (a server launched with `npx -y`
   * may need a download first, a database may not be up yet). Returns why no retry comes when there is none.
   */
  startFailed(): string | undefined {
    return this.scheduleRestart();
  }

  /** A restart asked for by hand: pending retries are dropped and the count of restarts in a row starts over. */
  reset(): void {
    this.stop();
    this.restartsInARow = 0;
  }

  /** Pings `connection` periodically, when the backend has a health check; a missed answer abandons it. */
  watch(connection: BackendConnection): void {
    const check = this.spec.healthCheck;
    if (!check) return;
    this.healthTimer = setTimeout(() => {
      void connection.ping(check.timeoutMs).then((healthy) => {
        if (!this.backend.isCurrent(connection)) return;
        if (healthy) {
          this.watch(connection);
          return;
        }
        this.backend.logger.warn(`no answer to a health-check ping within ${check.timeoutMs} ms; restarting`);
        void connection.abandon(`did not answer a health-check ping within ${check.timeoutMs} ms`);
      });
    }, check.intervalMs);
    this.healthTimer.unref();
  }

  /** Cancels a scheduled restart and the health check. */
  stop(): void {
    clearTimeout(this.restartTimer);
    clearTimeout(this.healthTimer);
    this.restartTimer = undefined;
    this.healthTimer = undefined;
    this.retryAt = undefined;
  }

  private scheduleRestart(): string | undefined {
    const policy = this.spec.restart;
    if (this.backend.isStopping() || policy.maxAttempts === 0) return undefined;
    if (this.restartsInARow >= policy.maxAttempts) {
      this.backend.logger.error('backend not restarted again', { restarts: this.restartsInARow });
      return `gave up after ${this.restartsInARow} restart(s) in a row`;
    }
    this.restartsInARow += 1;
    const delay = restartDelayMs(policy, this.restartsInARow);
    this.retryAt = Date.now() + delay;
    this.backend.logger.info(
      `retrying in ${formatSeconds(delay)} (attempt ${this.restartsInARow} of ${policy.maxAttempts})`,
    );
    this.restartTimer = setTimeout(() => void this.restart(), delay);
    this.restartTimer.unref();
    return undefined;
  }

  private async restart(): Promise<void> {
    this.restartTimer = undefined;
    this.retryAt = undefined;
    if (this.backend.isStopping()) return;
    this.restartCount += 1;
    this.backend.changed();
    try {
      await this.backend.reconnect();
      this.backend.logger.info('backend restarted', { restarts: this.restartCount });
    } catch (error) {
      if (this.backend.isStopping()) return;
      this.backend.failed(error as GatewayError, this.scheduleRestart());
      this.backend.changed();
    }
  }
}
