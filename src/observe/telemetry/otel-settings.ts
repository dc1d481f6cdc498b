/**
 * What the standard `OTEL_*` environment variables ask of the gateway's telemetry, read without loading any
 * OpenTelemetry module: the composition root decides from this alone whether telemetry is loaded at all, so that a
 * plain start pays nothing. The OTLP exporters read the rest themselves (`OTEL_EXPORTER_OTLP_ENDPOINT`, `_HEADERS`,
 * `_TIMEOUT` and their per-signal forms), as does the span processor (`OTEL_BSP_*`).
 */

/** How the OTLP exporters send: protobuf or JSON over HTTP (gRPC is not supported). */
export type OtlpProtocol = 'http/protobuf' | 'http/json';

/** The standard samplers of `OTEL_TRACES_SAMPLER` (the `jaeger_remote` and `xray` ones are not supported). */
export const SAMPLER_NAMES = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;

/** How spans are sampled: `OTEL_TRACES_SAMPLER`, with `OTEL_TRACES_SAMPLER_ARG` as the ratio of the ratio samplers. */
export interface SamplerSetting {
  readonly name: (typeof SAMPLER_NAMES)[number];
  /** The share of new traces sampled by the `traceidratio` samplers, 0 to 1 (default 1). */
  readonly ratio: number;
}

/** The telemetry the environment asks for. */
export interface OtelSettings {
  /** `OTEL_SDK_DISABLED=true`: no telemetry at all, not even `/metrics`. */
  readonly disabled: boolean;
  /** Spans exported over OTLP, with this protocol; undefined when traces are off. */
  readonly traces: OtlpProtocol | undefined;
  /** Metrics pushed over OTLP, with this protocol; undefined when not. (`/metrics` is served either way.) */
  readonly metrics: OtlpProtocol | undefined;
  /** How spans are sampled (default `parentbased_always_on`: follow the caller's sampled flag, else sample). */
  readonly sampler: SamplerSetting;
  /** How often metrics are pushed (`OTEL_METRIC_EXPORT_INTERVAL`, default 60 s). */
  readonly metricIntervalMs: number;
  /** How long a push may take (`OTEL_METRIC_EXPORT_TIMEOUT`, default 30 s). */
  readonly metricTimeoutMs: number;
  /** What the operator should hear about: a value not understood, and what was done instead. Never a value. */
  readonly warnings: readonly string[];
}

type Env = Readonly<Record<string, string | undefined>>;

const DEFAULT_METRIC_INTERVAL_MS = 60_000;
const DEFAULT_METRIC_TIMEOUT_MS = 30_000;

/**
 * Reads the environment. A signal is exported over OTLP when its `OTEL_<SIGNAL>_EXPORTER` lists `otlp`, or when it
 * is unset and an OTLP endpoint is (`OTEL_EXPORTER_OTLP_ENDPOINT` or the signal's own). With nothing set, nothing
 * is exported: the specification's default (`otlp` to localhost) would make every plain start pay for exporters.
 */
export function readOtelSettings(env: Env): OtelSettings {
  const warnings: string[] = [];
  const disabled = env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true';
  const signal = (name: 'TRACES' | 'METRICS'): OtlpProtocol | undefined => {
    const exporters = listOf(env[`OTEL_${name}_EXPORTER`]);
    const endpoint =
      nonEmpty(env.OTEL_EXPORTER_OTLP_ENDPOINT) ?? nonEmpty(env[`OTEL_EXPORTER_OTLP_${name}_ENDPOINT`]);
    for (const exporter of exporters) {
      if (!['otlp', 'none', ...(name === 'METRICS' ? ['prometheus'] : [])].includes(exporter)) {
        warnings.push(`OTEL_${name}_EXPORTER "${exporter}" is not supported (use otlp or none): ignored`);
      }
    }
    const wanted = exporters.length === 0 ? endpoint !== undefined : exporters.includes('otlp');
    if (!wanted || exporters.includes('none')) return undefined;
    return protocolOf(
      env[`OTEL_EXPORTER_OTLP_${name}_PROTOCOL`] ?? env.OTEL_EXPORTER_OTLP_PROTOCOL,
      warnings,
    );
  };
  return {
    disabled,
    traces: disabled ? undefined : signal('TRACES'),
    metrics: disabled ? undefined : signal('METRICS'),
    sampler: samplerOf(env, warnings),
    metricIntervalMs: millis(env, 'OTEL_METRIC_EXPORT_INTERVAL', DEFAULT_METRIC_INTERVAL_MS, warnings),
    metricTimeoutMs: millis(env, 'OTEL_METRIC_EXPORT_TIMEOUT', DEFAULT_METRIC_TIMEOUT_MS, warnings),
    warnings,
  };
}

function listOf(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((item) => item.trim().toLowerCase())
    .filter((item) => item !== '');
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

function protocolOf(value: string | undefined, warnings: string[]): OtlpProtocol {
  const protocol = value?.trim().toLowerCase();
  if (protocol === undefined || protocol === '' || protocol === 'http/protobuf') return 'http/protobuf';
  if (protocol === 'http/json') return 'http/json';
  warnings.push(`OTEL_EXPORTER_OTLP_PROTOCOL "${protocol}" is not supported: using http/protobuf`);
  return 'http/protobuf';
}

function millis(env: Env, name: string, fallback: number, warnings: string[]): number {
  const raw = nonEmpty(env[name]);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (Number.isInteger(value) && value > 0) return value;
  warnings.push(`${name} must be a whole number of milliseconds above 0: using ${fallback}`);
  return fallback;
}

function samplerOf(env: Env, warnings: string[]): SamplerSetting {
  const raw = nonEmpty(env.OTEL_TRACES_SAMPLER)?.trim().toLowerCase() ?? 'parentbased_always_on';
  const name = SAMPLER_NAMES.find((each) => each === raw);
  if (name === undefined) {
    warnings.push(
      `OTEL_TRACES_SAMPLER "${raw}" is not supported (use one of ${SAMPLER_NAMES.join(', ')}): using parentbased_always_on`,
    );
  }
  const rawRatio = nonEmpty(env.OTEL_TRACES_SAMPLER_ARG);
  let ratio = 1;
  if (rawRatio !== undefined && name !== undefined && name.endsWith('traceidratio')) {
    const value = Number(rawRatio);
    if (Number.isFinite(value) && value >= 0 && value <= 1) ratio = value;
    else warnings.push('OTEL_TRACES_SAMPLER_ARG must be a number from 0 to 1: using 1');
  }
  return { name: name ?? 'parentbased_always_on', ratio };
}
