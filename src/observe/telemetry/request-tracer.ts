/**
 * The gateway's {@link RequestTracer}: a span per client request (continuing the caller's W3C trace context), a
 * child per pipeline step and per backend request, and the count of client requests in flight. Without an
 * exporter of traces it only counts: no span is made.
 */
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Span,
  type Tracer,
} from '@opentelemetry/api';

import type { CallOutcome, RequestTracer, TracedRequest, TraceSpan } from '../../shared/observation.js';
import {
  ATTR_ERROR_CODE,
  ATTR_ERROR_TYPE,
  ATTR_FRONT_DOOR,
  ATTR_METHOD,
  ATTR_OUTCOME,
  ATTR_PRINCIPAL,
  ATTR_PROMPT,
  ATTR_SERVER,
  ATTR_STEP,
  ATTR_TOOL,
} from './attribute-names.js';
import type { InFlightCount } from './gateway-metrics.js';
import { callerContext, formatTraceparent } from './trace-context.js';

/** A span that records nothing: the children of a request when traces are off. */
const UNTRACED: TraceSpan = {
  child: () => UNTRACED,
  outgoingMeta: (meta) => ({ ...meta }),
  end: () => undefined,
};

/** Builds the tracer: spans through `tracer` when traces are exported, and `inFlight` counted either way. */
export function createRequestTracer(tracer: Tracer | undefined, inFlight: InFlightCount): RequestTracer {
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
      if (!tracer) return new CountedRequest(done);
      const attributes: Attributes = {
        [ATTR_METHOD]: request.method,
        [ATTR_PRINCIPAL]: request.principal,
        [ATTR_FRONT_DOOR]: request.frontDoor,
      };
      if (request.name !== undefined) {
        attributes[request.method === 'prompts/get' ? ATTR_PROMPT : ATTR_TOOL] = request.name;
      }
      const name = request.name === undefined ? request.method : `${request.method} ${request.name}`;
      const span = tracer.startSpan(name, { kind: SpanKind.SERVER, attributes }, callerContext(request.meta));
      return new GatewaySpan(tracer, span, request.method, done, true);
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

/** A span of the gateway's: a client request, a pipeline step or a backend request. */
class GatewaySpan implements TraceSpan {
  private ended = false;

  constructor(
    private readonly tracer: Tracer,
    private readonly span: Span,
    private readonly method: string,
    private readonly done: (() => void) | undefined,
    /** A client request's span, which names the backend of its first hop. */
    private namesServer: boolean,
  ) {}

  child(kind: 'step' | 'hop', server: string | undefined, name: string | undefined): TraceSpan {
    if (this.namesServer && server !== undefined) {
      this.span.setAttribute(ATTR_SERVER, server);
      this.namesServer = false;
    }
    const parent = trace.setSpan(ROOT_CONTEXT, this.span);
    if (kind === 'step') {
      const attributes: Attributes = { [ATTR_STEP]: name };
      if (server !== undefined) attributes[ATTR_SERVER] = server;
      const step = this.tracer.startSpan(`pipeline step ${name ?? ''}`, { attributes }, parent);
      return new GatewaySpan(this.tracer, step, 'tools/call', undefined, false);
    }
    const attributes: Attributes = { [ATTR_METHOD]: this.method };
    if (server !== undefined) attributes[ATTR_SERVER] = server;
    if (name !== undefined) attributes[this.method === 'prompts/get' ? ATTR_PROMPT : ATTR_TOOL] = name;
    const label = name === undefined ? this.method : `${this.method} ${name}`;
    const hop = this.tracer.startSpan(label, { kind: SpanKind.CLIENT, attributes }, parent);
    return new GatewaySpan(this.tracer, hop, this.method, undefined, false);
  }

  outgoingMeta(meta: Readonly<Record<string, unknown>> | undefined): Record<string, unknown> {
    return { ...meta, traceparent: formatTraceparent(this.span.spanContext()) };
  }

  end(outcome: CallOutcome, errorCode: number | undefined): void {
    if (this.ended) return;
    this.ended = true;
    this.done?.();
    this.span.setAttribute(ATTR_OUTCOME, outcome);
    if (outcome !== 'ok') {
      this.span.setAttribute(ATTR_ERROR_TYPE, outcome);
      if (errorCode !== undefined) this.span.setAttribute(ATTR_ERROR_CODE, errorCode);
      this.span.setStatus({ code: SpanStatusCode.ERROR });
    }
    this.span.end();
  }
}
