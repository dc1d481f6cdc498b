/**
 * The composition root: builds the backend registry and the gateway core, registers the configured backends, and
 * serves the gateway on stdio or HTTP. Knows every part; no part knows it. What the command line needs of the parts
 * (flag defaults, value checks) it takes from here.
 */
import type { Readable, Writable } from 'node:stream';

import { DEFAULT_BACKEND_OPTIONS, type BackendOptions } from './backends/backend-options.js';
import { BackendRegistry } from './backends/backend-registry.js';
import { BackendOAuth } from './backends/oauth/backend-oauth.js';
import { enterConfigChain } from './backends/registration/config-chain.js';
import { createRegistrationPolicy } from './backends/registration/registration-policy.js';
import type { LoadedConfig } from './config/load-config.js';
import { GatewayError } from './errors/gateway-error.js';
import { createGateway } from './gateway/create-gateway.js';
import type { ExposeMode } from './gateway/expose-mode.js';
import type { Logger } from './logger.js';
import { openDashboard } from './open-dashboard.js';
import { startupReadiness, startWatchers } from './observability.js';
import { auditSettings } from './observe/start-observers.js';
import { PipelineCatalog } from './pipelines/pipeline-catalog.js';
import { resolveStateDir } from './pins/pin-file.js';
import { Pins } from './pins/pins.js';
import { registerConfiguredServers } from './reload/configured-servers.js';
import { startLiveConfig, type LiveConfig } from './reload/live-config.js';
import { pinningModesOf } from './shared/pinning-mode.js';
import type { RegistrationPolicy } from './shared/registration-policy.js';
import { describeExposureProblem } from './transports/http/host-check.js';
import type { HttpOptions } from './transports/http/serve-http.js';
import { running, type RunningGateway } from './running-gateway.js';

export { EXPOSE_MODES } from './gateway/expose-mode.js';
export type { RunningGateway } from './running-gateway.js';
export { AUTH_TOKEN_ENV, describeTokensProblem, parseAuthToken } from './transports/http/bearer-auth.js';
export type { AuthToken } from './transports/http/bearer-auth.js';
export {
  describeExposureProblem,
  normalizeAllowedHost,
  normalizeAllowedOrigin,
} from './transports/http/host-check.js';
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
}

/**
 * Starts the gateway. Over HTTP the port is taken first (a busy port fails before any backend starts) and served
 * while the configured backends start; over stdio the backends start on the client's first message other than
 * `server/discover` (answered at once), which waits for their first attempt. Backends that fail are reported and
 * retried, never fatal.
 */
export async function startGateway(options: StartGatewayOptions): Promise<RunningGateway> {
  const { logger, config } = options;
  const { transport, host } = options;
  const exposure = describeExposureProblem(transport, host, options.http?.authTokens ?? [], !!config?.auth);
  // Checked before anything starts, so that no backend starts for a gateway that will not serve.
  if (exposure !== undefined) throw new GatewayError('invalid_config', exposure);
  // Read before anything starts: a state file that cannot be used stops the gateway rather than trusting anew.
  const cwd = process.cwd();
  const stateDir = resolveStateDir({ stateDir: options.stateDir, configFile: config?.file, cwd });
  const persist = options.stateDir !== undefined || config !== undefined;
  const pins = await Pins.open({ stateDir, persist, modes: pinningModesOf(config), logger });
  const oauth = new BackendOAuth({ stateDir, persist, env: options.env ?? process.env });
  const configChain = enterConfigChain(config?.file);
  const pipelines = new PipelineCatalog(config?.pipelines ?? {});
  const registry = new BackendRegistry(logger, {
    ...DEFAULT_BACKEND_OPTIONS,
    defaultTimeoutMs: options.timeoutMs,
    handshakeTimeoutMs: options.startupTimeoutMs ?? DEFAULT_BACKEND_STARTUP_MS,
    configChain,
    oauth,
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
  let live: LiveConfig | undefined;
  const gateway = createGateway({
    directory: registry,
    pipelines,
    baseDir: options.baseDir ?? process.cwd(),
    logger,
    expose: options.expose ?? config?.expose ?? 'all',
    defaultTimeoutMs: options.timeoutMs,
    registration: { authorize: (request) => registration.authorize(request) },
    configStatus: () => live?.status(),
    pins,
    access: config?.access,
  });
  // Not ready before the configured backends had their first attempt, even while none is registered yet.
  const boot = startupReadiness(registry, Object.keys(config?.servers ?? {}));
  // Over stdio the dashboard is on the admin listener (loopback only; the page's own checks still apply).
  const parts = { registry, pins, observation: gateway.observation };
  const onAdmin =
    options.transport === 'stdio' && options.adminPort !== undefined && options.dashboard !== false;
  const adminDashboard = openDashboard(onAdmin, parts, { bindHost: '127.0.0.1', logger });
  // Opened before anything is served: no request goes unrecorded, and no limit is late.
  const observers = await startWatchers(gateway.observation, {
    adminMounts: adminDashboard.mounts,
    audit: auditSettings(config, options.auditLog, logger),
    limits: config?.limits,
    servesHttp: options.transport === 'streamable-http',
    adminPort: options.adminPort,
    env: options.env ?? process.env,
    readiness: boot.readiness,
    backends: () => registry.list().map((backend) => backend.info()),
    logger,
  });
  // Only while starting: once started, a stop request is the caller's (an HTTP drain comes first).
  const stopStarting = (): void => void registry.closeAll();
  const started = (): void => options.stopping?.removeEventListener('abort', stopStarting);
  if (options.stopping?.aborted) stopStarting();
  else options.stopping?.addEventListener('abort', stopStarting, { once: true });
  const closeCore = async (): Promise<void> => {
    started();
    try {
      await Promise.all([gateway.close(), live?.close()]);
    } finally {
      await Promise.all([registry.closeAll(), pins.close(), oauth.close()]);
      // Last: what the sessions and the backends ended with is recorded (and exported) first.
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
      applyRegistration: (from) => (registration = registrationFor(from)),
      applyPinning: (modes) => pins.setModes(modes),
      applyAccess: (access) => gateway.setAccess(access),
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
          boot.started();
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
      const { admin } = observers;
      return running(
        { registry, http: undefined, admin, done: stdio.closed, reload: reloadStdio },
        async () => {
          try {
            adminDashboard.close();
            await stdio.close();
          } finally {
            await closeCore();
          }
        },
      );
    }
    // Loaded only for HTTP: the SDK's HTTP server transport is about 45 ms of a stdio gateway's start otherwise.
    const { serveHttp } = await import('./transports/http/serve-http.js');
    const frontDoor = { ...options.http, bindHost: options.host, logger };
    const dashboard = openDashboard(options.dashboard !== false, parts, frontDoor);
    const { authorityFor } = await import('./auth/resource-server.js');
    const http = await serveHttp(gateway, {
      ...options.http,
      mounts: dashboard.mounts,
      tokenAuthority: authorityFor(config?.auth, logger),
      maxSessions: config?.limits?.sessions,
      admitSession: observers.admitSession,
      host: options.host,
      port: options.port,
      logger,
      readiness: boot.readiness,
      routes: observers.routes,
    });
    if (options.allowRegister === true) {
      const allowCommands = config?.registration?.allowCommands ?? 'any';
      logger.warn(
        'register_server is on: clients that pass the front door can start commands on this machine',
        { allowCommands },
      );
    }
    const closeAll = async (): Promise<void> => {
      try {
        dashboard.close();
        await http.close();
      } finally {
        await closeCore();
      }
    };
    try {
      await keepConfigLive();
      await registerConfiguredServers(registry, config, logger);
      started();
      boot.started();
    } catch (error) {
      // The port goes first; the catch below closes the core.
      await http.close();
      throw error;
    }
    const { admin } = observers;
    return running({ registry, http, admin, done: new Promise<void>(() => undefined), reload }, closeAll);
  } catch (error) {
    await closeCore();
    throw error;
  }
}
