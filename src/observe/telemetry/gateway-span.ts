/**
 * The gateway's spans: a client request, a pipeline step, a request to a backend. The gateway makes them itself and
 * hands each, once ended, to the OpenTelemetry SDK's span processor as the `ReadableSpan` it takes (then batched,
 * encoded and exported by the SDK). Why not the SDK's own tracer: its span objects (limits, attribute checks,
 * context objects, a processor call at start) cost more than half of what tracing added to a proxied call, and a
 * span of the gateway's has a fixed, small set of attributes and never an event or a link. Sampling stays the
 * SDK's: each span is offered to its sampler as the SDK's tracer would offer it.
 */
import {
  ROOT_CONTEXT,
  SpanStatusCode,
  trace,
  TraceFlags,
  type Attributes,
  type HrTime,
  type Link,
  type SpanContext,
  type SpanKind,
  type SpanStatus,
} from '@opentelemetry/api';
import { hrTime, hrTimeDuration, type InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import {
  SamplingDecision,
  type IdGenerator,
  type ReadableSpan,
  type Sampler,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';

import type { CallOutcome } from '../../shared/observation.js';
import { ATTR_ERROR_CODE, ATTR_ERROR_TYPE, ATTR_OUTCOME } from './attribute-names.js';

/** What the gateway's spans are made with, and where they go when they end. */
export interface SpanSink {
  readonly processor: SpanProcessor;
  readonly sampler: Sampler;
  readonly ids: IdGenerator;
  readonly resource: Resource;
  readonly scope: InstrumentationScope;
}

/** A span has no links and no events: one empty list serves them all (the SDK's exporters only read it). */
const NONE: never[] = [];
const UNSET: SpanStatus = { code: SpanStatusCode.UNSET };
const FAILED: SpanStatus = { code: SpanStatusCode.ERROR };

/**
 * Starts a span under `parent` (a caller's remote span context, a span of the gateway's, or none for a new trace),
 * as the SDK's tracer does: the trace id and `tracestate` of the parent, a new span id, the sampler's decision and
 * attributes. A span the sampler does not record still carries its context (what a backend is told), and is
 * handed to nobody.
 */
export function startSpan(
  sink: SpanSink,
  name: string,
  kind: SpanKind,
  attributes: Attributes,
  parent: SpanContext | undefined,
): RecordedSpan {
  const traceId = parent?.traceId ?? sink.ids.generateTraceId();
  const context = parent === undefined ? ROOT_CONTEXT : trace.setSpanContext(ROOT_CONTEXT, parent);
  const sampling = sink.sampler.shouldSample(context, traceId, name, kind, attributes, NONE);
  if (sampling.attributes !== undefined) Object.assign(attributes, sampling.attributes);
  const spanContext: SpanContext = {
    traceId,
    spanId: sink.ids.generateSpanId(),
    traceFlags:
      sampling.decision === SamplingDecision.RECORD_AND_SAMPLED ? TraceFlags.SAMPLED : TraceFlags.NONE,
    traceState: sampling.traceState ?? parent?.traceState,
  };
  return new RecordedSpan(sink, name, kind, attributes, spanContext, parent, sampling.decision);
}

/** One span: recorded while it runs, handed to the span processor when it ends (if the sampler records it). */
export class RecordedSpan implements ReadableSpan {
  readonly startTime: HrTime = hrTime();
  endTime: HrTime = [0, 0];
  duration: HrTime = [0, 0];
  status: SpanStatus = UNSET;
  ended = false;
  readonly links: Link[] = NONE;
  readonly events: never[] = NONE;
  readonly droppedAttributesCount = 0;
  readonly droppedEventsCount = 0;
  readonly droppedLinksCount = 0;
  readonly resource: Resource;
  readonly instrumentationScope: InstrumentationScope;

  constructor(
    private readonly sink: SpanSink,
    readonly name: string,
    readonly kind: SpanKind,
    readonly attributes: Attributes,
    private readonly context: SpanContext,
    readonly parentSpanContext: SpanContext | undefined,
    private readonly decision: SamplingDecision,
  ) {
    this.resource = sink.resource;
    this.instrumentationScope = sink.scope;
  }

  spanContext(): SpanContext {
    return this.context;
  }

  /**
   * Starts a child of this span, sampled as this span was: each sampler `OTEL_TRACES_SAMPLER` can name decides a
   * child with a local parent as it decided the parent (the parent-based ones follow the parent, `traceidratio`
   * decides by the trace id they share, `always_on` and `always_off` by nothing), so it is not asked again.
   */
  child(name: string, kind: SpanKind, attributes: Attributes): RecordedSpan {
    const { traceId, traceFlags, traceState } = this.context;
    const spanContext = { traceId, spanId: this.sink.ids.generateSpanId(), traceFlags, traceState };
    return new RecordedSpan(this.sink, name, kind, attributes, spanContext, this.context, this.decision);
  }

  /** Sets an attribute while the span runs (a request's span learns its backend at its first hop). */
  setAttribute(name: string, value: string): void {
    if (!this.ended) this.attributes[name] = value;
  }

  /** Ends the span with its outcome; a failure sets the error status, its kind and JSON-RPC code. */
  end(outcome: CallOutcome, errorCode: number | undefined): void {
    if (this.ended) return;
    this.ended = true;
    this.endTime = hrTime();
    this.duration = hrTimeDuration(this.startTime, this.endTime);
    this.attributes[ATTR_OUTCOME] = outcome;
    if (outcome !== 'ok') {
      this.attributes[ATTR_ERROR_TYPE] = outcome;
      if (errorCode !== undefined) this.attributes[ATTR_ERROR_CODE] = errorCode;
      this.status = FAILED;
    }
    if (this.decision !== SamplingDecision.NOT_RECORD) this.sink.processor.onEnd(this);
  }
}
