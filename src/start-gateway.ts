/**
 * The composition root: builds the backend registry, registers the configured backends, and serves the gateway
 * on stdio or HTTP. Knows every part; no part knows it.
 */
import type { Readable, Writable } from 'node:stream';

import { BackendRegistry, DEFAULT_BACKEND_OPTIONS } from './backends/backend-registry.js';
import type { BackendOptions } from './backends/backend.js';
import type { LoadedConfig } from './config/load-config.js';
import { createGateway, type GatewayDependencies } from './gateway/create-gateway.js';
import type { Logger } from './logger.js';
import { PipelineCatalog } from './pipelines/build-pipeline.js';
import { serveHttp, type HttpHandle } from './transports/http.js';
import { serveStdio } from './transports/stdio.js';

/** The front doors the gateway can serve. */
export const TRANSPORTS = ['stdio', 'streamable-http'] as const;
/** One of {@link TRANSPORTS}. */
export type TransportKind = (typeof TRANSPORTS)[number];

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
  const pipelines = new PipelineCatalog(options.config?.pipelines ?? {});
  const registry = new BackendRegistry(logger, {
    ...DEFAULT_BACKEND_OPTIONS,
    defaultTimeoutMs: options.timeoutMs,
    ...options.backendOptions,
  });
  const dependencies: GatewayDependencies = {
    directory: registry,
    pipelines,
    baseDir: options.baseDir ?? process.cwd(),
    logger,
  };

  try {
    await registerConfiguredServers(registry, options.config, logger);
    if (options.transport === 'stdio') {
      const gateway = createGateway(dependencies);
      const stdio = await serveStdio(gateway.server, options.stdio);
      return handle(registry, undefined, stdio.closed, async () => {
        await gateway.close();
        await stdio.close();
      });
    }
    const http = await serveHttp(() => createGateway(dependencies), {
      host: options.host,
      port: options.port,
      logger,
    });
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
