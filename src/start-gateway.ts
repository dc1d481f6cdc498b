/**
 * The composition root: builds the backend registry, registers the configured backends, and serves the gateway
 * on stdio or HTTP. Knows every part; no part knows it.
 */
import type { Readable, Writable } from 'node:stream';

import { BackendRegistry, DEFAULT_BACKEND_OPTIONS } from './backends/backend-registry.js';
import type { BackendOptions } from './backends/backend.js';
import type { LoadedConfig } from './config/load-config.js';
import type { ExposeMode } from './gateway/expose-mode.js';
import { GatewayError } from './errors.js';
import { createGateway, createHub, type GatewayDependencies } from './gateway/create-gateway.js';
import { createRegistrationPolicy } from './gateway/registration-policy.js';
import type { Logger } from './logger.js';
import { PipelineCatalog } from './pipelines/build-pipeline.js';
import { isLoopbackAddress } from './transports/host-check.js';
import type { HttpHandle, HttpOptions } from './transports/http.js';
import { serveStdio } from './transports/stdio.js';

/** The front doors the gateway can serve. */
export const TRANSPORTS = ['stdio', 'streamable-http'] as const;
/** One of {@link TRANSPORTS}. */
export type TransportKind = (typeof TRANSPORTS)[number];

/** The HTTP front door's security options and limits (see {@link HttpOptions}); each has a safe default. */
export type HttpFrontDoorOptions = Omit<HttpOptions, 'host' | 'port' | 'logger'>;

/** How to run the gateway. */
export interface GatewayOptions {
  readonly transport: TransportKind;
  /** HTTP only. */
  readonly host: string;
  /** HTTP only; 0 picks a free port. */
  readonly port: number;
  /** Default per-call timeout of backend calls, in milliseconds. */
  readonly timeoutMs: number;
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
  /** What `tools/list` shows (see `GatewayDependencies.expose`); overrides the config's `expose`. Default `all`. */
  readonly expose?: ExposeMode | undefined;
}

/** A running gateway. */
export interface GatewayHandle {
  readonly registry: BackendRegistry;
  /** Present in HTTP mode. */
  readonly http: HttpHandle | undefined;
  /** Resolves when the client side ended by itself (stdin closed in stdio mode); never in HTTP mode. */
  readonly done: Promise<void>;
  /** Stops serving and closes every backend. Idempotent. */
  close(): Promise<void>;
}

/** Starts the gateway: backends from the config first (concurrently; failures reported, not fatal), then the front door. */
export async function startGateway(options: GatewayOptions): Promise<GatewayHandle> {
  const { logger } = options;
  if (
    options.transport === 'streamable-http' &&
    !isLoopbackAddress(options.host) &&
    (options.http?.authTokens ?? []).length === 0
  ) {
    // Checked again by serveHttp; checked here too so that no backend starts for a gateway that will not.
    throw new GatewayError(
      'invalid_config',
      `refusing to serve HTTP on ${options.host} without an auth token (set --auth-token or MCP_GATEWAY_AUTH_TOKEN)`,
    );
  }
  const pipelines = new PipelineCatalog(options.config?.pipelines ?? {});
  const registry = new BackendRegistry(logger, {
    ...DEFAULT_BACKEND_OPTIONS,
    defaultTimeoutMs: options.timeoutMs,
    ...options.backendOptions,
  });
  const hub = createHub(registry, logger);
  const dependencies: GatewayDependencies = {
    directory: registry,
    hub,
    pipelines,
    baseDir: options.baseDir ?? process.cwd(),
    logger,
    expose: options.expose ?? options.config?.expose ?? 'all',
    registration: createRegistrationPolicy({
      enabled: options.transport === 'stdio' || options.allowRegister === true,
      howToEnable:
        'Over HTTP it is off unless the operator starts the gateway with --allow-register (see SECURITY.md).',
      allowCommands: options.config?.registration?.allowCommands,
      allowlistBaseDir: options.config?.baseDir,
      logger,
    }),
  };

  try {
    await registerConfiguredServers(registry, options.config, logger);
    if (options.transport === 'stdio') {
      const gateway = createGateway(dependencies);
      const stdio = await serveStdio(gateway, options.stdio);
      return handle(registry, undefined, stdio.closed, async () => {
        await gateway.close();
        await stdio.close();
      });
    }
    // Loaded only for HTTP: the SDK's HTTP server transport is about 45 ms of a stdio gateway's start otherwise.
    const { serveHttp } = await import('./transports/http.js');
    const http = await serveHttp(() => createGateway(dependencies), {
      ...options.http,
      host: options.host,
      port: options.port,
      logger,
    });
    if (options.allowRegister === true) {
      logger.warn(
        'register_server is on: clients that pass the front door can start commands on this machine',
        {
          allowCommands: options.config?.registration?.allowCommands ?? 'any',
        },
      );
    }
    return handle(registry, http, new Promise<void>(() => undefined), () => http.close());
  } catch (error) {
    await registry.closeAll();
    throw error;
  }
}

function handle(
  registry: BackendRegistry,
  http: HttpHandle | undefined,
  done: Promise<void>,
  closeFrontDoor: () => Promise<void>,
): GatewayHandle {
  let closing: Promise<void> | undefined;
  return {
    registry,
    http,
    done,
    close: () => {
      closing ??= (async () => {
        try {
          await closeFrontDoor();
        } finally {
          await registry.closeAll();
        }
      })();
      return closing;
    },
  };
}

async function registerConfiguredServers(
  registry: BackendRegistry,
  config: LoadedConfig | undefined,
  logger: Logger,
): Promise<void> {
  if (!config) return;
  const entries = Object.entries(config.servers);
  const results = await Promise.allSettled(
    entries.map(([name, server]) =>
      registry.register(name, server, { baseDir: config.baseDir, keepOnFailure: true }),
    ),
  );
  const failed = results.filter((result) => result.status === 'rejected').length;
  logger.info(`registered ${entries.length - failed} of ${entries.length} configured server(s)`, {
    config: config.file,
  });
}
