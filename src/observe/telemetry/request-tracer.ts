/**
 * The gateway's {@link RequestTracer}: a span per client request (continuing the caller's W3C trace context), a
 * child per pipeline step and per backend request, and the count of client requests in flight. Without an
 * exporter of traces it only counts: no span is made.
 */
import { SpanKind, type Attributes } from '@opentelemetry/api';

import type { CallOutcome, RequestTracer, TracedRequest, TraceSpan } from '../../shared/observation.js';
import {
  ATTR_FRONT_DOOR,
  ATTR_METHOD,
  ATTR_PRINCIPAL,
  ATTR_PROMPT,
  ATTR_SERVER,
  ATTR_STEP,
  ATTR_TOOL,
} from './attribute-names.js';
import type { InFlightCount } from './gateway-metrics.js';
import { startSpan, type RecordedSpan, type SpanSink } from './gateway-span.js';
import { formatTraceparent, parseTraceparent } from './trace-context.js';

/** A span that records nothing: the children of a request when traces are off. */
const UNTRACED: TraceSpan = {
  child: () => UNTRACED,
  outgoingMeta: (meta) => ({ ...meta }),
  end: () => undefined,
};

/** Builds the tracer: spans into `sink` when traces are exported, and `inFlight` counted either way. */
export function createRequestTracer(sink: SpanSink | undefined, inFlight: InFlightCount): RequestTracer {
  // One attribute object per method, reused by every request: the in-flight count is keyed by it.
  const methodAttributes = new Map<string, Attributes>();
  const attributesOf = (method: string): Attributes => {
    let attributes = methodAttributes.get(method);
    if (!attributes) methodAttributes.set(method, (attributes = { [ATTR_METHOD]: method }));
    return attributes;
  };
  return {
    startRequest(request: TracedRequest): TraceSpan {
      const counted = attributesOf(request.method);
      inFlight(counted, 1);
      const done = (): void => inFlight(counted, -1);
      if (!sink) return new CountedRequest(done);
      const attributes: Attributes = {
        [ATTR_METHOD]: request.method,
        [ATTR_PRINCIPAL]: request.principal,
        [ATTR_FRONT_DOOR]: request.frontDoor,
      };
      if (request.name !== undefined) {
        attributes[request.method === 'prompts/get' ? ATTR_PROMPT : ATTR_TOOL] = request.name;
      }
      const name = request.name === undefined ? request.method : `${request.method} ${request.name}`;
      const caller = request.meta && parseTraceparent(request.meta.traceparent, request.meta.tracestate);
      const span = startSpan(sink, name, SpanKind.SERVER, attributes, caller);
      return new GatewaySpan(span, request.method, done, true);
    },
  };
}

/** A client request counted in flight, traced by nobody. */
class CountedRequest implements TraceSpan {
  private ended = false;

  constructor(private readonly done: () => void) {}

  child(): TraceSpan {
    return UNTRACED;
  }

  outgoingMeta(meta: Readonly<Record<string, unknown>> | undefined): Record<string, unknown> {
    return { ...meta };
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.done();
  }
}

/** A span of the gateway's, as the core holds it: a client request, a pipeline step or a backend request. */
class GatewaySpan implements TraceSpan {
  constructor(
    private readonly span: RecordedSpan,
    private readonly method: string,
    private done: (() => void) | undefined,
    /** A client request's span, which names the backend of its first hop. */
    private namesServer: boolean,
  ) {}

  child(kind: 'step' | 'hop', server: string | undefined, name: string | undefined): TraceSpan {
    if (this.namesServer && server !== undefined) {
      this.span.setAttribute(ATTR_SERVER, server);
      this.namesServer = false;
    }
    if (kind === 'step') {
      const attributes: Attributes = { [ATTR_STEP]: name };
      if (server !== undefined) attributes[ATTR_SERVER] = server;
      const step = this.span.child(`pipeline step ${name ?? ''}`, SpanKind.INTERNAL, attributes);
      return new GatewaySpan(step, 'tools/call', undefined, false);
    }
    const attributes: Attributes = { [ATTR_METHOD]: this.method };
    if (server !== undefined) attributes[ATTR_SERVER] = server;
    if (name !== undefined) attributes[this.method === 'prompts/get' ? ATTR_PROMPT : ATTR_TOOL] = name;
    const label = name === undefined ? this.method : `${this.method} ${name}`;
    return new GatewaySpan(
      this.span.child(label, SpanKind.CLIENT, attributes),
      this.method,
      undefined,
      false,
    );
  }

  outgoingMeta(meta: Readonly<Record<string, unknown>> | undefined): Record<string, unknown> {
    return { ...meta, traceparent: formatTraceparent(this.span.spanContext()) };
  }

  end(outcome: CallOutcome, errorCode: number | undefined): void {
    if (this.span.ended) return;
    this.done?.();
    this.done = undefined;
    this.span.end(outcome, errorCode);
  }
}
