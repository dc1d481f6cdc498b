/**
 * Metrics and traces of a running gateway, on the observation seam: loaded (with every OpenTelemetry module it
 * needs) only when the composition root asks for telemetry, so that a plain start loads none of it. Metrics are
 * always kept for `/metrics` (Prometheus text), and pushed over OTLP when the environment asks; spans are made only
 * when traces are exported.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

import { diag, DiagLogLevel, type DiagLogger } from '@opentelemetry/api';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader, type MetricReader } from '@opentelemetry/sdk-metrics';
import { BatchSpanProcessor, RandomIdGenerator } from '@opentelemetry/sdk-trace-base';

import type { Logger } from '../../logger.js';
import type { GatewayObservation } from '../../shared/observation.js';
import { GATEWAY_VERSION } from '../../version.js';
import { createGatewayMetrics, type BackendSnapshot } from './gateway-metrics.js';
import type { OtelSettings } from './otel-settings.js';
import { createMetricExporter, createTraceExporter } from './otlp-exporters.js';
import { createRequestTracer } from './request-tracer.js';
import { createSampler } from './span-sampler.js';

/** The service name unless `OTEL_SERVICE_NAME` (or `service.name` in `OTEL_RESOURCE_ATTRIBUTES`) says. */
export const DEFAULT_SERVICE_NAME = 'mcp-gateway';
const SCOPE = 'mcp-gateway';

/** Options of {@link startTelemetry}. */
export interface TelemetryOptions {
  readonly settings: OtelSettings;
  /** The backends, read when metrics are collected. */
  readonly backends: BackendSnapshot;
  readonly logger: Logger;
}

/** Running telemetry. */
export interface Telemetry {
  /** Answers a scrape with the metrics in the Prometheus text format: mount it at `/metrics`. */
  readonly serveMetrics: (req: IncomingMessage, res: ServerResponse) => void;
  /** Unsubscribes, then pushes what is pending (spans, metrics) and stops the exporters. */
  close(): Promise<void>;
}

/** Subscribes metrics (and, when exported, traces) to `observation`. */
export async function startTelemetry(
  observation: GatewayObservation,
  options: TelemetryOptions,
): Promise<Telemetry> {
  const { settings, logger } = options;
  for (const warning of settings.warnings) logger.warn(warning);
  diag.setLogger(diagnostics(logger), DiagLogLevel.WARN);
  const resource = resourceFromAttributes({
    'service.name': DEFAULT_SERVICE_NAME,
    'service.version': GATEWAY_VERSION,
  }).merge(detectResources({ detectors: [envDetector] }));

  const prometheus = new PrometheusExporter({ preventServerStart: true });
  const readers: MetricReader[] = [prometheus];
  if (settings.metrics) {
    readers.push(
      new PeriodicExportingMetricReader({
        exporter: await createMetricExporter(settings.metrics),
        exportIntervalMillis: settings.metricIntervalMs,
        exportTimeoutMillis: Math.min(settings.metricTimeoutMs, settings.metricIntervalMs),
      }),
    );
  }
  const meterProvider = new MeterProvider({ resource, readers });
  const metrics = createGatewayMetrics(meterProvider.getMeter(SCOPE, GATEWAY_VERSION), options.backends, () =>
    observation.traffic(),
  );
  // Spans are made by the gateway (see gateway-span.ts), sampled, batched and exported by the SDK.
  const spans = settings.traces
    ? {
        processor: new BatchSpanProcessor(await createTraceExporter(settings.traces)),
        sampler: createSampler(settings.sampler),
        ids: new RandomIdGenerator(),
        resource,
        scope: { name: SCOPE, version: GATEWAY_VERSION },
      }
    : undefined;
  const stops = [
    observation.onCall(metrics.onCall),
    observation.onChange(metrics.onChange),
    observation.onSession(metrics.onSession),
    observation.setTracer(createRequestTracer(spans, metrics.requestsInFlight)),
  ];
  // Said only when something leaves the process: /metrics alone is the HTTP front door's default.
  if (settings.metrics || settings.traces) {
    logger.info('exporting telemetry over OTLP', {
      metrics: settings.metrics ?? 'off',
      traces: settings.traces ?? 'off',
    });
  }
  return {
    serveMetrics: (req, res) => prometheus.getMetricsRequestHandler(req, res),
    close: async () => {
      for (const stop of stops.splice(0)) stop();
      // Shutdown flushes: the last spans and a last push of the metrics reach the receiver.
      const results = await Promise.allSettled([meterProvider.shutdown(), spans?.processor.shutdown()]);
      for (const result of results) {
        if (result.status === 'rejected') {
          logger.warn('telemetry could not flush on shutdown', { error: (result.reason as Error).message });
        }
      }
    },
  };
}

/** OpenTelemetry's own warnings and errors (an exporter that cannot reach its receiver) go to the log. */
function diagnostics(logger: Logger): DiagLogger {
  const warn = (message: string): void => logger.warn(`telemetry: ${message}`);
  const quiet = (): void => undefined;
  return { error: warn, warn, info: quiet, debug: quiet, verbose: quiet };
}
