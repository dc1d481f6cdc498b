/**
 * How to run the gateway: the options of `startGateway` (start-gateway.ts), kept apart so that the composition root
 * stays about composing.
 */
import type { Readable, Writable } from 'node:stream';

import type { BackendOptions } from './backends/backend-options.js';
import type { ClusterSettings } from './cluster/join-if-clustered.js';
import type { LoadedConfig } from './config/load-config.js';
import type { ExposeMode } from './gateway/expose-mode.js';
import type { Logger } from './logger.js';
import type { HttpOptions } from './transports/http/serve-http.js';

/** The front doors the gateway can serve. */
export const TRANSPORTS = ['stdio', 'streamable-http'] as const;
/** One of {@link TRANSPORTS}. */
export type TransportKind = (typeof TRANSPORTS)[number];

/** The HTTP front door's security options and limits (see {@link HttpOptions}); each has a safe default. */
export type HttpFrontDoorOptions = Omit<HttpOptions, 'host' | 'port' | 'logger' | 'mounts'>;

/** How to run the gateway. */
export interface StartGatewayOptions {
  readonly transport: TransportKind;
  /** HTTP only. */
  readonly host: string;
  /** HTTP only; 0 picks a free port. */
  readonly port: number;
  /** Default per-call timeout of backend calls, in milliseconds. */
  readonly timeoutMs: number;
  /** How long a backend's first handshake may take when its config does not say (`startupTimeoutMs`). */
  readonly startupTimeoutMs?: number | undefined;
  readonly logger: Logger;
  /** Backends and pipelines to load at startup. */
  readonly config?: LoadedConfig | undefined;
  /** Folder that relative paths given to `register_server` resolve against. Default: the working directory. */
  readonly baseDir?: string | undefined;
  /** Stdio only: streams to serve on instead of the process's own. */
  readonly stdio?: { stdin: Readable; stdout: Writable } | undefined;
  /** Overrides of backend timings and limits (tests shorten them). */
  readonly backendOptions?: Partial<BackendOptions> | undefined;
  /** HTTP only: auth tokens, allowed hosts and origins, limits and timeouts of the front door. */
  readonly http?: HttpFrontDoorOptions | undefined;
  /** HTTP only: let `register_server` start commands (off by default: see SECURITY.md); always on over stdio. */
  readonly allowRegister?: boolean | undefined;
  /** What `tools/list` shows (see `CreateGatewayOptions.expose`); overrides the config's `expose`. Default `all`. */
  readonly expose?: ExposeMode | undefined;
  /** The folder of `pins.json`. Default: `.mcp-gateway` beside the config file; with neither, in memory only. */
  readonly stateDir?: string | undefined;
  /** HTTP only: serve the dashboard at `/dashboard` (see docs/dashboard.md). Default true; `--no-dashboard` off. */
  readonly dashboard?: boolean | undefined;
  /** Reload the config file whenever it is saved (the command line turns it on; `--no-watch` off). */
  readonly watch?: boolean | undefined;
  /** The audit log's file (`--audit-log`): overrides the config's `audit.file`, resolved against the working directory. */
  readonly auditLog?: string | undefined;
  /** Open the loopback-only admin listener (`/metrics`, `/healthz`, `/readyz`) on this port; 0 picks a free one. */
  readonly adminPort?: number | undefined;
  /** Where the `OTEL_*` variables are read from. Default: `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>> | undefined;
  /** Aborted on a stop asked for while starting: starting backends stop at once; the caller then closes it. */
  readonly stopping?: AbortSignal | undefined;
  /** HTTP only: join the cluster these settings name (runtime registrations shared through Redis). */
  readonly cluster?: ClusterSettings | undefined;
}
