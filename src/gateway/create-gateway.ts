/**
 * The gateway core, built once: the live catalog of what the backends offer, and the router of sessions and calls
 * in flight. Front doors open sessions on it (`connect`), one per client connection; it knows nothing of transports.
 */
import type { Transport } from '@modelcontextprotocol/server';
import type { Logger } from '../logger.js';
import type { PipelineCatalog } from '../pipelines/pipeline-catalog.js';
import type { Pins } from '../pins/pins.js';
import { reportPinEvents } from './pin-reports.js';
import type { BackendDirectory } from '../shared/backend.js';
import type { ConfigStatus } from '../shared/config-status.js';
import type {
  FrontDoorTraffic,
  GatewayObservation,
  SessionIdentity,
  TrafficCount,
} from '../shared/observation.js';
import type { RegistrationPolicy } from '../shared/registration-policy.js';
import type { ExposeMode } from './expose-mode.js';
import { ObservationHub } from './observation-hub.js';
import { AccessPolicy } from './access/access-policy.js';
import type { AccessRules } from './access/access-rules.js';
import { gatewayToolRefusal } from './access/gateway-tool-access.js';
import { ChangedServers } from './access/changed-servers.js';
import { InputBridge } from './calls/input-bridge.js';
import { LiveCatalog } from './hub/live-catalog.js';
import { PinGate } from './hub/pin-gate.js';
import { SessionRouter } from './hub/session-router.js';
import type { ListChange } from './hub/session-router.js';
import {
  describedBy,
  openSession,
  SessionServer,
  type GatewaySession,
  type SessionCore,
  type SessionOptions,
} from './session.js';
import { GATEWAY_TOOL_NAMES, GATEWAY_TOOLS } from './tools/index.js';

/** What a gateway is built from. */
export interface CreateGatewayOptions {
  /** The backends; the gateway answers what they send on their own, so a directory serves one gateway. */
  readonly directory: BackendDirectory;
  readonly pipelines: PipelineCatalog;
  /** Who may start what through `register_server` (see `createRegistrationPolicy`). */
  readonly registration: RegistrationPolicy;
  /** Folder that relative paths given to `register_server` resolve against. */
  readonly baseDir: string;
  readonly logger: Logger;
  /**
   * What `tools/list` shows: `all` (default), the gateway's tools and every backend tool; `gateway`, only the
   * gateway's own, backend tools being found with `search_tools` and called with `call_backend` (or by their
   * exposed names, which stay callable though not listed).
   */
  readonly expose?: ExposeMode | undefined;
  /** The per-call timeout of backends whose config sets none, as the tool descriptions state it. Default 10 s. */
  readonly defaultTimeoutMs?: number | undefined;
  /** The config file in force, which `list_servers` reports, when the gateway runs from one. */
  readonly configStatus?: (() => ConfigStatus | undefined) | undefined;
  /**
   * The pins of the backends' definitions (see src/pins/): every list is checked against them, and items withheld
   * for a changed definition are neither listed nor served. None: nothing is pinned.
   */
  readonly pins?: Pins | undefined;
  /** Who may see and call what (the config's `access` section, see docs/auth.md). None: everything is allowed. */
  readonly access?: AccessRules | undefined;
  /** The cluster replica this gateway is, when clustered: named in the `requestState`s it mints. */
  readonly replicaId?: string | undefined;
}

/** A gateway core that sessions are opened on. */
export interface Gateway {
  /**
   * Opens a legacy session on a client transport: one SDK Server, with `tools/call` served by the fast path.
   * `identity`: who the client is, as the front door established it (default: a local client, as over stdio).
   */
  connect(transport: Transport, identity?: SessionIdentity): Promise<GatewaySession>;
  /**
   * The server of one session, for the SDK's serving entries to connect (`serveStdio`: one per connection, either
   * era; `createMcpHandler`: one per modern request). It is closed with the gateway if still open.
   */
  createServer(options: SessionOptions): SessionServer;
  /** Calls `listener` with each change of the lists (for modern HTTP clients' listen streams); returns the stop. */
  watchChanges(listener: (change: ListChange) => void): () => void;
  /** Adds where a front door's byte counts are read (see {@link GatewayObservation.traffic}); returns the removal. */
  countTraffic(frontDoor: FrontDoorTraffic['frontDoor'], source: () => TrafficCount): () => void;
  /** Changes what `tools/list` shows, for every open session too (they are told their tool list changed). */
  setExpose(mode: ExposeMode): void;
  /** Puts new access rules in force, for open sessions too (they are told their lists changed). */
  setAccess(rules: AccessRules | undefined): void;
  /**
   * Why `identity` may not operate the gateway from its dashboard (see every backend and call, restart, enable,
   * disable, approve pins): the access rules' refusal of the `restart_server` gateway tool; undefined when it may.
   */
  operatorRefusal(identity: SessionIdentity): string | undefined;
  /**
   * What the gateway reports of the requests it forwards, the changes made to it and its sessions, and the gates
   * every client request passes (limits): the seam the audit log, metrics and dashboards build on (see
   * `shared/observation.ts`).
   */
  readonly observation: GatewayObservation;
  /** Ends every open session and detaches from the directory (whose backends keep running). Idempotent. */
  close(): Promise<void>;
}

/** Builds the gateway core over a directory of backends. */
export function createGateway(options: CreateGatewayOptions): Gateway {
  const { directory, logger } = options;
  const catalog = new LiveCatalog(directory, logger, GATEWAY_TOOL_NAMES, new PinGate(options.pins));
  // A session that ends lets go of the resources it subscribed to, on every backend.
  const router = new SessionRouter(logger, (session) => {
    for (const backend of directory.list()) backend.resources.release(session);
  });
  const observation = new ObservationHub(logger);
  const core: SessionCore = {
    directory,
    catalog,
    router,
    pipelines: options.pipelines,
    registration: options.registration,
    baseDir: options.baseDir,
    expose: options.expose ?? 'all',
    defaultTimeoutMs: options.defaultTimeoutMs ?? 10_000,
    inputBridge: new InputBridge(undefined, options.replicaId),
    configStatus: options.configStatus ?? (() => undefined),
    observation,
    access: new AccessPolicy(options.access),
    logger,
  };
  const detachUpward = directory.attachUpwardHandler({
    request: (backend, request, signal, principal) =>
      router.routeRequest(backend, request, signal, principal),
    notification: (backend, notification, principal) =>
      router.routeNotification(backend, notification, principal),
  });
  // The gateway tools' descriptions change with the pipelines and the backends registered (route_pipeline lists
  // the pipelines whose backends are there): a change to them is a change to every session's tool list.
  const describeGatewayTools = (): string =>
    GATEWAY_TOOLS.map((tool) => tool.description(describedBy(core))).join('\n');
  let gatewayTools = describeGatewayTools();
  const gatewayToolsChanged = (): boolean => {
    const now = describeGatewayTools();
    const changed = now !== gatewayTools;
    gatewayTools = now;
    return changed;
  };
  // While access rules are in force, the sessions that may see none of the servers that changed are not told.
  const changedServers = new ChangedServers();
  const onBackendsChanged = (): void =>
    router.announce({
      ...catalog.refresh(),
      servers: core.access.restricted ? changedServers.since(directory.list()) : undefined,
      gatewayToolsChanged: gatewayToolsChanged(),
    });
  const onPipelinesChanged = (): void => router.announce({ gatewayToolsChanged: gatewayToolsChanged() });
  directory.on('changed', onBackendsChanged);
  options.pipelines.on('changed', onPipelinesChanged);
  // An approval (here or in the state file) or a new mode may release or withhold items: the lists are built
  // again, and the sessions whose lists changed are told.
  const stopPins = catalog.pins.onUpdated((kinds) =>
    router.announce({
      ...(kinds.has('tool') ? catalog.refresh() : {}),
      promptsChanged: kinds.has('prompt'),
      resourcesChanged: kinds.has('resourceTemplate'),
    }),
  );
  const stopPinReports = options.pins ? reportPinEvents(options.pins, observation, logger) : () => undefined;
  const sessions = new Set<GatewaySession>();
  let closing: Promise<void> | undefined;

  return {
    connect: async (transport, identity) => {
      if (closing) throw new Error('the gateway is closed');
      const opened = await openSession(transport, core, identity);
      const session: GatewaySession = {
        close: async () => {
          sessions.delete(session);
          await opened.close();
        },
      };
      sessions.add(session);
      return session;
    },
    createServer: (options) => {
      if (closing) throw new Error('the gateway is closed');
      const server: SessionServer = new SessionServer(core, options, () => sessions.delete(session));
      const session: GatewaySession = { close: () => server.close() };
      sessions.add(session);
      return server;
    },
    observation,
    watchChanges: (listener) => router.watch(listener, () => core.expose === 'all'),
    countTraffic: (frontDoor, source) => observation.trafficMeter.add(frontDoor, source),
    setExpose: (mode) => {
      if (core.expose === mode) return;
      core.expose = mode;
      router.announce({ gatewayToolsChanged: true });
    },
    setAccess: (rules) => {
      core.access.replace(rules);
      router.announce({ gatewayToolsChanged: true, promptsChanged: true, resourcesChanged: true });
    },
    operatorRefusal: (identity) =>
      gatewayToolRefusal(core.access.rightsOf(identity), identity.principal, 'restart_server')?.message,
    close: () => {
      closing ??= (async () => {
        directory.off('changed', onBackendsChanged);
        options.pipelines.off('changed', onPipelinesChanged);
        stopPins();
        stopPinReports();
        detachUpward();
        core.inputBridge.close();
        await Promise.allSettled([...sessions].map((session) => session.close()));
      })();
      return closing;
    },
  };
}
