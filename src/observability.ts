/**
 * What lets an operator watch a running gateway from outside, as the command line and the `OTEL_*` environment
 * ask: metrics and traces (`observe/telemetry/`), `/metrics` on the HTTP listeners, and the admin listener
 * (`--admin-port`). Part of the composition root. OpenTelemetry is loaded only when something will use it: an HTTP
 * front door or an admin listener (both serve `/metrics`), or an OTLP exporter asked for; a stdio gateway without
 * `--admin-port` and without `OTEL_*` variables loads none of it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

import type { Logger } from './logger.js';
import type { BackendSnapshot } from './observe/telemetry/gateway-metrics.js';
import { startObservers, type ObserverOptions, type Observers } from './observe/start-observers.js';
import { readOtelSettings } from './observe/telemetry/otel-settings.js';
import type { Telemetry } from './observe/telemetry/start-telemetry.js';
import type { GatewayObservation } from './shared/observation.js';
import type { AdminHandle } from './transports/admin/admin-listener.js';
import type { HttpRoutes, RouteHandler } from './transports/admin/http-routes.js';
import type { Readiness } from './transports/admin/probes.js';
import { sendRejection } from './transports/http/http-responses.js';
import type { MountedHandler } from './transports/http/serve-http.js';

/** Where the Prometheus text exposition is served, on both listeners. */
export const METRICS_PATH = '/metrics';

/** Options of {@link startObservability}. */
export interface ObservabilityOptions {
  /** Whether an HTTP front door will serve (it serves `/metrics`). */
  readonly servesHttp: boolean;
  /** The admin listener's port (0: a free one); none when undefined. */
  readonly adminPort: number | undefined;
  /** The environment the `OTEL_*` variables are read from. */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly readiness: () => Readiness;
  readonly backends: BackendSnapshot;
  /** Mounted on the admin listener (the dashboard of a stdio gateway). */
  readonly adminMounts?: readonly MountedHandler[] | undefined;
  readonly logger: Logger;
}

/** Running telemetry and admin listener. */
export interface Observability {
  /**
   * The routes both listeners serve besides `/mcp` and the probes: hand it to the HTTP front door. A route set here
   * (`routes.set('/dashboard', handler)`) is served by both, behind the front door's token and on the admin listener.
   */
  readonly routes: Map<string, RouteHandler> & HttpRoutes;
  /** Present with `--admin-port`. */
  readonly admin: AdminHandle | undefined;
  /** Closes the admin listener, then flushes and stops telemetry. */
  close(): Promise<void>;
}

/** Starts what the options ask for; resolves once the admin listener listens. */
export async function startObservability(
  observation: GatewayObservation,
  options: ObservabilityOptions,
): Promise<Observability> {
  const { logger } = options;
  const settings = readOtelSettings(options.env);
  const routes = new Map<string, RouteHandler>();
  const wanted =
    options.servesHttp ||
    options.adminPort !== undefined ||
    settings.traces !== undefined ||
    settings.metrics !== undefined;
  let telemetry: Telemetry | undefined;
  if (settings.disabled) {
    if (wanted) logger.info('telemetry off (OTEL_SDK_DISABLED): no /metrics, no traces');
  } else if (wanted) {
    const { startTelemetry } = await import('./observe/telemetry/start-telemetry.js');
    telemetry = await startTelemetry(observation, { settings, backends: options.backends, logger });
    routes.set(METRICS_PATH, metricsRoute(telemetry));
  }
  let admin: AdminHandle | undefined;
  try {
    if (options.adminPort !== undefined) {
      const { serveAdmin } = await import('./transports/admin/admin-listener.js');
      admin = await serveAdmin({
        port: options.adminPort,
        logger,
        readiness: options.readiness,
        routes,
        mounts: options.adminMounts,
      });
    }
  } catch (error) {
    await telemetry?.close();
    throw error;
  }
  return {
    routes,
    admin,
    close: async () => {
      try {
        await admin?.close();
      } finally {
        await telemetry?.close();
      }
    },
  };
}

/** `/metrics`: GET (or HEAD) only. */
function metricsRoute(telemetry: Telemetry): RouteHandler {
  return (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendRejection(res, {
        status: 405,
        message: 'Method not allowed: GET /metrics',
        headers: { Allow: 'GET' },
      });
      return;
    }
    telemetry.serveMetrics(req, res);
  };
}

/** What a readiness probe says while the gateway starts: not ready until {@link started}, then the registry's. */
export function startupReadiness(
  registry: { readiness(): Readiness },
  configured: readonly string[],
): { readonly readiness: () => Readiness; started(): void; stopping(): void } {
  let started = false;
  let stopping = false;
  const current = (): Readiness =>
    started ? registry.readiness() : { ready: configured.length === 0, starting: configured, failed: [] };
  return {
    readiness: () => (stopping ? { ...current(), ready: false, stopping } : current()),
    started: () => {
      started = true;
    },
    // From the start of a drain: every probe (the admin listener's too) says 503.
    stopping: () => {
      stopping = true;
    },
  };
}

/** The audit log and limits (`observe/`), then telemetry and the admin listener: all that watches the gateway. */
export async function startWatchers(
  observation: GatewayObservation,
  options: ObserverOptions & ObservabilityOptions,
): Promise<Observers & Observability> {
  const observers = await startObservers(observation, options);
  let observability: Observability;
  try {
    observability = await startObservability(observation, options);
  } catch (error) {
    await observers.close();
    throw error;
  }
  return {
    ...observers,
    routes: observability.routes,
    admin: observability.admin,
    close: async () => {
      await Promise.all([observers.close(), observability.close()]);
    },
  };
}
