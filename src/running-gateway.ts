/**
 * The handle of a started gateway (see `startGateway`), and how the composition root makes one whose `close` runs
 * once.
 */
import type { BackendRegistry } from './backends/backend-registry.js';
import type { HttpHandle } from './transports/http/serve-http.js';

/** A running gateway. */
export interface RunningGateway {
  readonly registry: BackendRegistry;
  /** Present in HTTP mode. */
  readonly http: HttpHandle | undefined;
  /** The admin listener's address, with `adminPort`. */
  readonly admin: { readonly url: string; readonly port: number } | undefined;
  /** Resolves when the client side ended by itself (stdin closed in stdio mode); never in HTTP mode. */
  readonly done: Promise<void>;
  /** Reloads the config file and applies what changed (SIGHUP); `reason` is logged. Never rejects. */
  reload(reason: string): Promise<void>;
  /** Stops serving and closes every backend. Idempotent. */
  close(): Promise<void>;
}

/** A {@link RunningGateway} of `parts` whose `close` runs `closeAll` once, however often it is called. */
export function running(parts: Omit<RunningGateway, 'close'>, closeAll: () => Promise<void>): RunningGateway {
  let closing: Promise<void> | undefined;
  return {
    ...parts,
    close: () => {
      closing ??= closeAll();
      return closing;
    },
  };
}
