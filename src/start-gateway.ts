/**
 * The composition root: builds the backend registry and the gateway core, registers the configured backends, and
 * serves the gateway on stdio or HTTP. Knows every part; no part knows it. What the command line needs of the parts
 * (flag defaults, value checks) it takes from here.
 */
import { DEFAULT_BACKEND_OPTIONS } from './backends/backend-options.js';
import { BackendRegistry } from './backends/backend-registry.js';
import { BackendOAuth } from './backends/oauth/backend-oauth.js';
import { enterConfigChain } from './backends/registration/config-chain.js';
import { joinIfClustered } from './cluster/join-if-clustered.js';
import type { Cluster } from './cluster/start-cluster.js';
import { createRegistrationPolicy } from './backends/registration/registration-policy.js';
import type { LoadedConfig } from './config/load-config.js';
import { GatewayError } from './errors/gateway-error.js';
import { createGateway } from './gateway/create-gateway.js';
import type { DashboardCaller } from './dashboard/create-dashboard.js';
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
import type { TokenAuthority } from './transports/http/bearer-auth.js';
import { describeExposureProblem } from './transports/http/host-check.js';
import { running, type RunningGateway } from './running-gateway.js';
import { ownerOfRequestState } from './gateway/calls/request-state-owner.js';
import type { StartGatewayOptions } from './start-options.js';
import type { PeerRouting } from './transports/peers/peer-routing.js';

export { CLUSTER_KEY_ENV, clusterSettingsFrom, REDIS_URL_ENV } from './cluster/join-if-clustered.js';
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

export { TRANSPORTS } from './start-options.js';
export type { HttpFrontDoorOptions, StartGatewayOptions, TransportKind } from './start-options.js';

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
    pins,
    access: config?.access,
    replicaId: cluster?.replicaId,
  });
  // Not ready before the configured backends had their first attempt, even while none is registered yet.
  const boot = startupReadiness(registry, Object.keys(config?.servers ?? {}));
  // Over stdio the dashboard is on the admin listener (loopback only; the page's own checks still apply).
  const parts = { registry: cluster?.directory ?? registry, pins, observation: gateway.observation };
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
      await Promise.all([gateway.close(), live?.close(), cluster?.close()]);
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
      applyRegistration: (from) => (registration = registrationFor((registrationFrom = from))),
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
      if (config?.auth !== undefined) {
        // Over stdio the one client is whoever started the gateway: there is no token to check.
        logger.warn(
          'the config\'s "auth" applies to the HTTP front door only: over stdio the client is the local user (principal "local" in access rules)',
        );
      }
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
    const { authorityFor } = await import('./auth/resource-server.js');
    const makeAuthority = authorityFor(config?.auth, logger);
    let authority: TokenAuthority | undefined;
    const frontDoor = {
      ...options.http,
      bindHost: options.host,
      logger,
      // The dashboard takes the same OAuth access tokens as the MCP endpoint, and is for the principals that the
      // access rules let restart servers.
      tokenAuthority: makeAuthority && (() => authority),
      admit: ({ principal, claims }: DashboardCaller) =>
        gateway.operatorRefusal({ principal, claims, frontDoor: 'http-legacy', sessionId: undefined }),
    };
    const dashboard = openDashboard(options.dashboard !== false, parts, frontDoor);
    const http = await serveHttp(gateway, {
      ...options.http,
      mounts: dashboard.mounts,
      tokenAuthority: makeAuthority && ((url) => (authority = makeAuthority(url))),
      maxSessions: config?.limits?.sessions,
      admitSession: observers.admitSession,
      sessionIdPrefix: cluster?.replicaId,
      peers: cluster && peerRoutingOf(cluster),
      host: options.host,
      port: options.port,
      logger,
      readiness: boot.readiness,
      routes: observers.routes,
    });
    if (options.allowRegister === true) {
      const allowCommands = config?.registration?.allowCommands ?? 'any';
      logger.warn(
        `register_server is on: clients that pass the front door can start commands on ${cluster ? 'every replica' : 'this machine'}`,
        { allowCommands },
      );
    }
    const closeAll = async (): Promise<void> => {
      try {
        boot.stopping();
        dashboard.close();
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

/** How the HTTP front door of a cluster replica finds the owner of a request among its peers. */
function peerRoutingOf(cluster: Cluster): PeerRouting {
  return {
    self: cluster.replicaId,
    urlOf: (id) => cluster.urlOf(id),
    hopKey: cluster.hopKey,
    ownerOfState: ownerOfRequestState,
    joined: cluster.joined,
  };
}
