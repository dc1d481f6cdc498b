/**
 * The OTLP exporters, each loaded only when its signal is exported, in the protocol asked for (`http/protobuf`, or
 * `http/json`). They read their endpoint, headers and timeout from the `OTEL_EXPORTER_OTLP_*` variables
 * themselves; the gateway never logs those (headers carry credentials).
 */
import type { PushMetricExporter } from '@opentelemetry/sdk-metrics';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';

import type { OtlpProtocol } from './otel-settings.js';

/** The span exporter for `protocol`. */
export async function createTraceExporter(protocol: OtlpProtocol): Promise<SpanExporter> {
  if (protocol === 'http/json') {
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
    return new OTLPTraceExporter();
  }
  const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-proto');
  return new OTLPTraceExporter();
}

/** The metric exporter for `protocol`. */
export async function createMetricExporter(protocol: OtlpProtocol): Promise<PushMetricExporter> {
  if (protocol === 'http/json') {
    const { OTLPMetricExporter } = await import('@opentelemetry/exporter-metrics-otlp-http');
    return new OTLPMetricExporter();
  }
  const { OTLPMetricExporter } = await import('@opentelemetry/exporter-metrics-otlp-proto');
  return new OTLPMetricExporter();
}
