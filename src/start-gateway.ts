/**
 * The composition root: builds the backend registry and the gateway core, registers the configured backends, and
 * serves the gateway on stdio or HTTP. Knows every part; no part knows it. What the command line needs of the parts
 * (flag defaults, value checks) it takes from here.
 */
import type { Readable, Writable } from 'node:stream';

import { DEFAULT_BACKEND_OPTIONS, type BackendOptions } from './backends/backend-options.js';
import { BackendRegistry } from './backends/backend-registry.js';
import { enterConfigChain } from './backends/registration/config-chain.js';
import { joinIfClustered, type ClusterSettings } from './cluster/join-if-clustered.js';
import { createRegistrationPolicy } from './backends/registration/registration-policy.js';
import type { LoadedConfig } from './config/load-config.js';
import { GatewayError } from './errors/gateway-error.js';
import { createGateway } from './gateway/create-gateway.js';
import type { ExposeMode } from './gateway/expose-mode.js';
import type { Logger } from './logger.js';
import { auditSettings, startObservers, type Observers } from './observe/start-observers.js';
import { PipelineCatalog } from './pipelines/pipeline-catalog.js';
import { registerConfiguredServers } from './reload/configured-servers.js';
import { startLiveConfig, type LiveConfig } from './reload/live-config.js';
import type { RegistrationPolicy } from './shared/registration-policy.js';
import { AUTH_TOKEN_ENV, type AuthToken } from './transports/http/bearer-auth.js';
import { isLoopbackAddress } from './transports/http/host-check.js';
import type { HttpHandle, HttpOptions } from './transports/http/serve-http.js';

export { CLUSTER_KEY_ENV, clusterSettingsFrom, REDIS_URL_ENV } from './cluster/join-if-clustered.js';
export { EXPOSE_MODES } from './gateway/expose-mode.js';
export { AUTH_TOKEN_ENV, describeTokensProblem, parseAuthToken } from './transports/http/bearer-auth.js';
export type { AuthToken } from './transports/http/bearer-auth.js';
export { normalizeAllowedHost, normalizeAllowedOrigin } from './transports/http/host-check.js';
export {
  DEFAULT_DRAIN_TIMEOUT_MS,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_REQUEST_TIMEOUT_MS,
  DEFAULT_SESSION_IDLE_MS,
} from './transports/http/http-defaults.js';

/** How long a backend's first handshake may take unless its config or the command line says otherwise. */
export const DEFAULT_BACKEND_STARTUP_MS = DEFAULT_BACKEND_OPTIONS.handshakeTimeoutMs;

/** The front doors the gateway can serve. */
export const TRANSPORTS = ['stdio', 'streamable-http'] as const;
/** One of {@link TRANSPORTS}. */
export type TransportKind = (typeof TRANSPORTS)[number];

/** The HTTP front door's security options and limits (see {@link HttpOptions}); each has a safe default. */
export type HttpFrontDoorOptions = Omit<HttpOptions, 'host' | 'port' | 'logger'>;

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
  /**
   * HTTP only: let `register_server` start commands. Off by default over HTTP, where any client that gets through
   * the front door could otherwise run a command on this machine; always on over stdio.
   */
  readonly allowRegister?: boolean | undefined;
  /** What `tools/list` shows (see `CreateGatewayOptions.expose`); overrides the config's `expose`. Default `all`. */
  readonly expose?: ExposeMode | undefined;
  /** Reload the config file whenever it is saved (the command line turns it on; `--no-watch` off). */
  readonly watch?: boolean | undefined;
  /** The audit log's file (`--audit-log`): overrides the config's `audit.file`, resolved against the working directory. */
  readonly auditLog?: string | undefined;
  /**
   * Aborted when the gateway is asked to stop while it starts (a signal): the backends starting are stopped at once
   * instead of being waited for, and the gateway comes up with none, to be closed by the caller.
   */
  readonly stopping?: AbortSignal | undefined;
  /** HTTP only: join the cluster these settings name (runtime registrations shared through Redis). */
  readonly cluster?: ClusterSettings | undefined;
}

/** A running gateway. */
export interface RunningGateway {
  readonly registry: BackendRegistry;
  /** Present in HTTP mode. */
  readonly http: HttpHandle | undefined;
  /** Resolves when the client side ended by itself (stdin closed in stdio mode); never in HTTP mode. */
  readonly done: Promise<void>;
  /** Reloads the config file and applies what changed (SIGHUP); `reason` is logged. Never rejects. */
  reload(reason: string): Promise<void>;
  /** Stops serving and closes every backend. Idempotent. */
  close(): Promise<void>;
}

/**
 * Why the gateway must not serve as asked, or undefined: an HTTP listener on an address other hosts can reach
 * needs a bearer token, or anyone who reaches it could start commands on this machine.
 */
export function describeExposureProblem(
  transport: TransportKind,
  host: string,
  authTokens: readonly AuthToken[],
): string | undefined {
  if (transport !== 'streamable-http' || authTokens.length > 0 || isLoopbackAddress(host)) return undefined;
  return `--host ${host} is not a loopback address: set --auth-token or ${AUTH_TOKEN_ENV} as well`;
}

/**
 * Starts the gateway. Over HTTP the port is taken first (a busy port fails before any backend starts) and served
 * while the configured backends start; over stdio the backends start on the client's first message other than
 * `server/discover` (answered at once), which waits for their first attempt. Backends that fail are reported and
 * retried, never fatal.
 */
export async function startGateway(options: StartGatewayOptions): Promise<RunningGateway> {
  const { logger, config } = options;
  const exposure = describeExposureProblem(options.transport, options.host, options.http?.authTokens ?? []);
  // Checked before anything starts, so that no backend starts for a gateway that will not serve.
  if (exposure !== undefined) throw new GatewayError('invalid_config', exposure);
  const configChain = enterConfigChain(config?.file);
  const pipelines = new PipelineCatalog(config?.pipelines ?? {});
  const registry = new BackendRegistry(logger, {
    ...DEFAULT_BACKEND_OPTIONS,
    defaultTimeoutMs: options.timeoutMs,
    handshakeTimeoutMs: options.startupTimeoutMs ?? DEFAULT_BACKEND_STARTUP_MS,
    configChain,
    ...options.backendOptions,
  });
  const registrationFor = (from: LoadedConfig | undefined): RegistrationPolicy =>
    createRegistrationPolicy({
      enabled: options.transport === 'stdio' || options.allowRegister === true,
      howToEnable:
        'Over HTTP it is off unless the operator starts the gateway with --allow-register (see SECURITY.md).',
      allowCommands: from?.registration?.allowCommands,
      allowlistBaseDir: from?.baseDir,
      logger,
    });
  // A reload may change `registration`: the gateway asks whichever policy is in force.
  let registration = registrationFor(config);
  let registrationFrom = config;
  const cluster = await joinIfClustered(options, { registry, logger, config: () => registrationFrom });
  let live: LiveConfig | undefined;
  const gateway = createGateway({
    directory: cluster?.directory ?? registry,
    pipelines,
    baseDir: options.baseDir ?? process.cwd(),
    logger,
    expose: options.expose ?? config?.expose ?? 'all',
    defaultTimeoutMs: options.timeoutMs,
    registration: { authorize: (request) => registration.authorize(request) },
    configStatus: () => live?.status(),
  });
  // Opened before anything is served: no request goes unrecorded, and no limit is late.
  const observers: Observers = await startObservers(gateway.observation, {
    audit: auditSettings(config, options.auditLog, logger),
    limits: config?.limits,
    logger,
  });
  // Only while starting: once started, a stop request is the caller's to carry out (an HTTP drain comes first).
  const stopStarting = (): void => void registry.closeAll();
  const started = (): void => options.stopping?.removeEventListener('abort', stopStarting);
  if (options.stopping?.aborted) stopStarting();
  else options.stopping?.addEventListener('abort', stopStarting, { once: true });
  const closeCore = async (): Promise<void> => {
    started();
    try {
      await Promise.all([gateway.close(), live?.close(), cluster?.close()]);
    } finally {
      await registry.closeAll();
      // Last: what the sessions and the backends ended with is recorded first.
      await observers.close();
    }
  };

  const keepConfigLive = async (): Promise<void> => {
    if (!config) return;
    live = await startLiveConfig({
      config,
      watch: options.watch === true,
      registry,
      pipelines,
      // The command line's --expose wins over the file's, then and at every reload.
      applyExpose: (mode) => (options.expose === undefined ? gateway.setExpose(mode ?? 'all') : undefined),
      applyRegistration: (from) => (registration = registrationFor((registrationFrom = from))),
      reported: (change) => gateway.observation.reportChange(change),
      logger,
    });
  };

  try {
    const reload = (reason: string): Promise<void> => {
      if (live) return live.reload(reason);
      logger.info(`nothing to reload (${reason}): the gateway runs without a config file`);
      return Promise.resolve();
    };
    if (options.transport === 'stdio') {
      // The backends start on the client's first message but `server/discover` (see transports/startup-gate.ts),
      // and the config is kept live from then on: a reload asked for before (SIGHUP) happens once they started.
      let startup: Promise<void> | undefined;
      let reloadOnceStarted: string | undefined;
      const startBackends = (): Promise<void> =>
        (startup ??= (async () => {
          await keepConfigLive();
          await registerConfiguredServers(registry, config, logger);
          if (reloadOnceStarted !== undefined) await reload(reloadOnceStarted);
        })());
      const reloadStdio = async (reason: string): Promise<void> => {
        if (startup) return startup.then(() => reload(reason));
        reloadOnceStarted = reason;
        logger.info(
          `${reason}: the config file is read again once the backends start (at the first request)`,
        );
      };
      // Loaded only for stdio, as the HTTP front door is only for HTTP.
      const { serveStdio } = await import('./transports/stdio.js');
      const stdio = serveStdio(gateway, {
        ...options.stdio,
        startBackends,
        onError: (error) =>
          logger.debug('the stdio entry could not serve a message', { error: error.message }),
      });
      started();
      return running({ registry, http: undefined, done: stdio.closed, reload: reloadStdio }, async () => {
        try {
          await stdio.close();
        } finally {
          await closeCore();
        }
      });
    }
    let initialized = false;
    // Loaded only for HTTP: the SDK's HTTP server transport is about 45 ms of a stdio gateway's start otherwise.
    const { serveHttp } = await import('./transports/http/serve-http.js');
    const http = await serveHttp(gateway, {
      ...options.http,
      maxSessions: config?.limits?.sessions,
      admitSession: observers.admitSession,
      sessionIdPrefix: cluster?.replicaId,
      host: options.host,
      port: options.port,
      logger,
      // Not ready before the configured backends had their first attempt, even while none is registered yet.
      readiness: () =>
        initialized
          ? registry.readiness()
          : { ready: false, starting: Object.keys(config?.servers ?? {}), failed: [] },
    });
    if (options.allowRegister === true) {
      logger.warn(
        `register_server is on: clients that pass the front door can start commands on ${cluster ? 'every replica' : 'this machine'}`,
        {
          allowCommands: config?.registration?.allowCommands ?? 'any',
        },
      );
    }
    const closeAll = async (): Promise<void> => {
      try {
        await http.close();
      } finally {
        await closeCore();
      }
    };
    try {
      await keepConfigLive();
      await registerConfiguredServers(registry, config, logger);
      await cluster?.start(http.url); // after the config servers, which come first in every replica's order
      started();
      initialized = true;
    } catch (error) {
      // The port goes first; the catch below closes the core.
      await http.close();
      throw error;
    }
    return running({ registry, http, done: new Promise<void>(() => undefined), reload }, closeAll);
  } catch (error) {
    await closeCore();
    throw error;
  }
}

function running(parts: Omit<RunningGateway, 'close'>, closeAll: () => Promise<void>): RunningGateway {
  let closing: Promise<void> | undefined;
  return {
    ...parts,
    close: () => {
      closing ??= closeAll();
      return closing;
    },
  };
}
