import { describe, expect, it } from 'vitest';

import { readOtelSettings } from '../../../../src/observe/telemetry/otel-settings.js';

describe('readOtelSettings', () => {
  it('exports nothing when no OTEL_* variable is set', () => {
    expect(readOtelSettings({})).toMatchObject({
      disabled: false,
      traces: undefined,
      metrics: undefined,
      warnings: [],
    });
  });

  it('exports both signals over http/protobuf when only an endpoint is set', () => {
    const settings = readOtelSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' });
    expect(settings).toMatchObject({ traces: 'http/protobuf', metrics: 'http/protobuf' });
  });

  it('honours each signal’s exporter list, its own endpoint and protocol, and none', () => {
    const settings = readOtelSettings({
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'http://127.0.0.1:4318/v1/metrics',
      OTEL_METRICS_EXPORTER: 'none',
    });
    expect(settings).toMatchObject({ traces: 'http/json', metrics: undefined });
    expect(readOtelSettings({ OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'http://x:1/v1/metrics' }).metrics).toBe(
      'http/protobuf',
    );
  });

  it('turns everything off with OTEL_SDK_DISABLED=true', () => {
    const settings = readOtelSettings({ OTEL_SDK_DISABLED: 'TRUE', OTEL_TRACES_EXPORTER: 'otlp' });
    expect(settings).toMatchObject({ disabled: true, traces: undefined, metrics: undefined });
  });

  it('warns of what it does not support and falls back, quoting no header or endpoint', () => {
    const settings = readOtelSettings({
      OTEL_TRACES_EXPORTER: 'otlp,zipkin',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
      OTEL_METRIC_EXPORT_INTERVAL: 'soon',
      OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer secret-value',
    });
    expect(settings.traces).toBe('http/protobuf');
    expect(settings.metricIntervalMs).toBe(60_000);
    expect(settings.warnings).toHaveLength(3);
    expect(settings.warnings.join('\n')).not.toContain('secret-value');
  });

  it('reads the metric export interval and timeout', () => {
    expect(
      readOtelSettings({ OTEL_METRIC_EXPORT_INTERVAL: '250', OTEL_METRIC_EXPORT_TIMEOUT: '100' }),
    ).toMatchObject({ metricIntervalMs: 250, metricTimeoutMs: 100 });
  });

  it('reads the sampler and its ratio, warning of an unknown one or a ratio out of range', () => {
    expect(readOtelSettings({}).sampler).toEqual({ name: 'parentbased_always_on', ratio: 1 });
    expect(
      readOtelSettings({ OTEL_TRACES_SAMPLER: 'TraceIdRatio', OTEL_TRACES_SAMPLER_ARG: '0.25' }).sampler,
    ).toEqual({ name: 'traceidratio', ratio: 0.25 });
    const unknown = readOtelSettings({ OTEL_TRACES_SAMPLER: 'jaeger_remote' });
    expect(unknown.sampler.name).toBe('parentbased_always_on');
    expect(unknown.warnings.join('\n')).toContain('OTEL_TRACES_SAMPLER "jaeger_remote" is not supported');
    const outOfRange = readOtelSettings({
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '1.5',
    });
    expect(outOfRange.sampler).toEqual({ name: 'parentbased_traceidratio', ratio: 1 });
    expect(outOfRange.warnings).toEqual(['OTEL_TRACES_SAMPLER_ARG must be a number from 0 to 1: using 1']);
  });
});
