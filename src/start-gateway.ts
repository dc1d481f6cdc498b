/**
 * The composition root: builds the backend registry and the gateway core, registers the configured backends, and
 * serves the gateway on stdio or HTTP. Knows every part; no part knows it. What the command line needs of the parts
 * (flag defaults, value checks) it takes from here.
 */
import type { Readable, Writable } from 'node:stream';

import { DEFAULT_BACKEND_OPTIONS, type BackendOptions } from './backends/backend-options.js';
import { BackendRegistry } from './backends/backend-registry.js';
import { canonicalConfigPath, inheritedConfigChain } from './backends/registration/config-chain.js';
import { createRegistrationPolicy } from './backends/registration/registration-policy.js';
import type { LoadedConfig } from './config/load-config.js';
import { GatewayError } from './errors/gateway-error.js';
import { createGateway } from './gateway/create-gateway.js';
import type { ExposeMode } from './gateway/expose-mode.js';
import type { Logger } from './logger.js';
import { PipelineCatalog } from './pipelines/pipeline-catalog.js';
import { AUTH_TOKEN_ENV } from './transports/http/bearer-auth.js';
import { isLoopbackAddress } from './transports/http/host-check.js';
import type { HttpHandle, HttpOptions } from './transports/http/serve-http.js';
import { serveStdio } from './transports/stdio.js';

export { EXPOSE_MODES } from './gateway/expose-mode.js';
export { AUTH_TOKEN_ENV, describeTokenProblem } from './transports/http/bearer-auth.js';
export { normalizeAllowedHost, normalizeAllowedOrigin } from './transports/http/host-check.js';
export {
  DEFAULT_DRAIN_TIMEOUT_MS,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_REQUEST_TIMEOUT_MS,
  DEFAULT_SESSION_IDLE_MS,
} from './transports/http/http-defaults.js';

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
}

/** A running gateway. */
export interface RunningGateway {
  readonly registry: BackendRegistry;
  /** Present in HTTP mode. */
  readonly http: HttpHandle | undefined;
  /** Resolves when the client side ended by itself (stdin closed in stdio mode); never in HTTP mode. */
  readonly done: Promise<void>;
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
  authTokens: readonly string[],
): string | undefined {
  if (transport !== 'streamable-http' || authTokens.length > 0 || isLoopbackAddress(host)) return undefined;
  return `--host ${host} is not a loopback address: set --auth-token or ${AUTH_TOKEN_ENV} as well`;
}

/** Starts the gateway: backends from the config first (concurrently; failures reported, not fatal), then the front door. */
export async function startGateway(options: StartGatewayOptions): Promise<RunningGateway> {
  const { logger } = options;
  const exposure = describeExposureProblem(options.transport, options.host, options.http?.authTokens ?? []);
  // Checked before anything starts, so that no backend starts for a gateway that will not serve.
  if (exposure !== undefined) throw new GatewayError('invalid_config', exposure);
  const configChain = servedConfigChain(options.config);
  const pipelines = new PipelineCatalog(options.config?.pipelines ?? {});
  const registry = new BackendRegistry(logger, {
    ...DEFAULT_BACKEND_OPTIONS,
    defaultTimeoutMs: options.timeoutMs,
    configChain,
    ...options.backendOptions,
  });
  const gateway = createGateway({
    directory: registry,
    pipelines,
    baseDir: options.baseDir ?? process.cwd(),
    logger,
    expose: options.expose ?? options.config?.expose ?? 'all',
    defaultTimeoutMs: options.timeoutMs,
    registration: createRegistrationPolicy({
      enabled: options.transport === 'stdio' || options.allowRegister === true,
      howToEnable:
        'Over HTTP it is off unless the operator starts the gateway with --allow-register (see SECURITY.md).',
      allowCommands: options.config?.registration?.allowCommands,
      allowlistBaseDir: options.config?.baseDir,
      logger,
    }),
  });
  const closeCore = async (): Promise<void> => {
    try {
      await gateway.close();
    } finally {
      await registry.closeAll();
    }
  };

  try {
    await registerConfiguredServers(registry, options.config, logger);
    if (options.transport === 'stdio') {
      const stdio = await serveStdio(gateway, options.stdio);
      return running(registry, undefined, stdio.closed, async () => {
        try {
          await stdio.close();
        } finally {
          await closeCore();
        }
      });
    }
    // Loaded only for HTTP: the SDK's HTTP server transport is about 45 ms of a stdio gateway's start otherwise.
    const { serveHttp } = await import('./transports/http/serve-http.js');
    const http = await serveHttp(gateway, {
      ...options.http,
      host: options.host,
      port: options.port,
      logger,
    });
    if (options.allowRegister === true) {
      logger.warn(
        'register_server is on: clients that pass the front door can start commands on this machine',
        { allowCommands: options.config?.registration?.allowCommands ?? 'any' },
      );
    }
    return running(registry, http, new Promise<void>(() => undefined), async () => {
      try {
        await http.close();
      } finally {
        await closeCore();
      }
    });
  } catch (error) {
    await closeCore();
    throw error;
  }
}

/**
 * The config files served up the chain, this gateway's own last. A gateway started (as a backend) by one that
 * already serves its config file refuses to start: a backstop behind each gateway's refusal of such an entry, for a
 * command line it could not recognise (a wrapper script, `sh -c`).
 */
function servedConfigChain(config: LoadedConfig | undefined): string[] {
  const inherited = inheritedConfigChain();
  if (!config) return inherited;
  const own = canonicalConfigPath(config.file);
  if (inherited.includes(own)) {
    throw new GatewayError(
      'self_reference',
      `${config.file} is already served by the gateway that started this one: a gateway must not start itself. ` +
        "Remove the gateway's own entry from the servers of that config",
    );
  }
  return [...inherited, own];
}

function running(
  registry: BackendRegistry,
  http: HttpHandle | undefined,
  done: Promise<void>,
  closeAll: () => Promise<void>,
): RunningGateway {
  let closing: Promise<void> | undefined;
  return {
    registry,
    http,
    done,
    close: () => {
      closing ??= closeAll();
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
