/**
 * The gateway's own spans, handed to the OpenTelemetry SDK's real span processor and exporter (in memory), then
 * encoded by the SDK's own OTLP serializers: what a receiver would get, sampled as the standard samplers say.
 */
import { SpanKind, SpanStatusCode, type Attributes } from '@opentelemetry/api';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  InMemorySpanExporter,
  RandomIdGenerator,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';

import { readOtelSettings } from '../../../../src/observe/telemetry/otel-settings.js';
import { createRequestTracer } from '../../../../src/observe/telemetry/request-tracer.js';
import { createSampler } from '../../../../src/observe/telemetry/span-sampler.js';
import type { TracedRequest } from '../../../../src/shared/observation.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER = '00f067aa0ba902b7';

/** A tracer whose spans land in memory; `sampler` as `OTEL_TRACES_SAMPLER` would name it. */
function tracerWith(env: Record<string, string> = {}) {
  const exporter = new InMemorySpanExporter();
  const inFlight: number[] = [];
  const tracer = createRequestTracer(
    {
      processor: new SimpleSpanProcessor(exporter),
      sampler: createSampler(readOtelSettings(env).sampler),
      ids: new RandomIdGenerator(),
      resource: resourceFromAttributes({ 'service.name': 'tracer-test' }),
      scope: { name: 'mcp-gateway', version: '0.0.0' },
    },
    (_attributes: Attributes, change: number) => inFlight.push(change),
  );
  return { tracer, spans: () => exporter.getFinishedSpans(), inFlight };
}

function request(meta?: Record<string, unknown>): TracedRequest {
  return {
    principal: 'alice',
    frontDoor: 'http-legacy',
    sessionId: 's-1',
    method: 'tools/call',
    name: 'echo__echo',
    meta,
  };
}

function named(spans: readonly ReadableSpan[], name: string): ReadableSpan {
  const span = spans.find((each) => each.name === name);
  if (!span) throw new Error(`no span named ${name} among ${spans.map((each) => each.name).join(', ')}`);
  return span;
}

describe('the request tracer', () => {
  it("continues the caller's trace: a server span, a client span under it, and the hop named to the backend", () => {
    const { tracer, spans, inFlight } = tracerWith();
    const root = tracer.startRequest(request({ traceparent: `00-${TRACE}-${CALLER}-01`, tracestate: 'v=1' }));
    const hop = root.child('hop', 'echo', 'echo');
    const sent = hop.outgoingMeta({ tracestate: 'v=1', progressToken: 7 });
    hop.end('ok', undefined);
    root.end('ok', undefined);
    root.end('error', 1); // a second end changes nothing

    const [first, second] = spans();
    expect(spans()).toHaveLength(2);
    const server = named(spans(), 'tools/call echo__echo');
    const client = named(spans(), 'tools/call echo');
    expect(first).toBe(client); // ended first, handed over first
    expect(second).toBe(server);
    expect(server.kind).toBe(SpanKind.SERVER);
    expect(server.spanContext().traceId).toBe(TRACE);
    expect(server.parentSpanContext).toMatchObject({ spanId: CALLER, isRemote: true });
    expect(server.spanContext().traceState?.get('v')).toBe('1');
    expect(server.attributes).toEqual({
      'mcp.method.name': 'tools/call',
      'gen_ai.tool.name': 'echo__echo',
      'mcp.gateway.principal': 'alice',
      'mcp.gateway.front_door': 'http-legacy',
      'mcp.server.name': 'echo',
      'mcp.gateway.outcome': 'ok',
    });
    expect(server.status.code).toBe(SpanStatusCode.UNSET);
    expect(client.kind).toBe(SpanKind.CLIENT);
    expect(client.parentSpanContext?.spanId).toBe(server.spanContext().spanId);
    expect(client.spanContext().traceId).toBe(TRACE);
    expect(sent).toEqual({
      tracestate: 'v=1',
      progressToken: 7,
      traceparent: `00-${TRACE}-${client.spanContext().spanId}-01`,
    });
    // Start, end and duration are consistent high-resolution times.
    const nanos = ([seconds, ns]: readonly [number, number]) => BigInt(seconds) * 1_000_000_000n + BigInt(ns);
    expect(nanos(server.endTime) >= nanos(server.startTime)).toBe(true);
    expect(nanos(server.duration)).toBe(nanos(server.endTime) - nanos(server.startTime));
    expect(server.resource.attributes['service.name']).toBe('tracer-test');
    expect(inFlight).toEqual([1, -1]);
  });

  it('starts a new trace without a caller, puts pipeline steps between the request and their hops, and marks failures', () => {
    const { tracer, spans } = tracerWith();
    const root = tracer.startRequest({ ...request(), name: 'route_pipeline' });
    const step = root.child('step', 'echo', 'first');
    const hop = step.child('hop', 'echo', 'fail');
    hop.end('tool-error', undefined);
    step.end('tool-error', undefined);
    root.end('timeout', -32001);

    const server = named(spans(), 'tools/call route_pipeline');
    const stepSpan = named(spans(), 'pipeline step first');
    const hopSpan = named(spans(), 'tools/call fail');
    expect(server.parentSpanContext).toBeUndefined();
    expect(server.spanContext().traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(stepSpan.kind).toBe(SpanKind.INTERNAL);
    expect(stepSpan.parentSpanContext?.spanId).toBe(server.spanContext().spanId);
    expect(stepSpan.attributes).toMatchObject({
      'mcp.gateway.pipeline.step': 'first',
      'mcp.server.name': 'echo',
    });
    expect(hopSpan.parentSpanContext?.spanId).toBe(stepSpan.spanContext().spanId);
    expect(hopSpan.attributes).toMatchObject({
      'mcp.gateway.outcome': 'tool-error',
      'error.type': 'tool-error',
    });
    expect(server.status.code).toBe(SpanStatusCode.ERROR);
    expect(server.attributes).toMatchObject({ 'error.type': 'timeout', 'rpc.jsonrpc.error_code': -32001 });
  });

  it('follows the sampler: an unsampled caller is not exported but its trace goes on to the backend unsampled', () => {
    const { tracer, spans } = tracerWith();
    const root = tracer.startRequest(request({ traceparent: `00-${TRACE}-${CALLER}-00` }));
    const hop = root.child('hop', 'echo', 'echo');
    expect(hop.outgoingMeta(undefined).traceparent).toMatch(new RegExp(`^00-${TRACE}-[0-9a-f]{16}-00$`));
    hop.end('ok', undefined);
    root.end('ok', undefined);
    expect(spans()).toHaveLength(0);

    const always = tracerWith({ OTEL_TRACES_SAMPLER: 'always_on' });
    always.tracer.startRequest(request({ traceparent: `00-${TRACE}-${CALLER}-00` })).end('ok', undefined);
    expect(always.spans()).toHaveLength(1);
  });

  it('exports nothing with always_off or a ratio of 0, and everything with a ratio of 1', () => {
    const refusing: Record<string, string>[] = [
      { OTEL_TRACES_SAMPLER: 'always_off' },
      { OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '0' },
      { OTEL_TRACES_SAMPLER: 'parentbased_always_off' },
    ];
    for (const env of refusing) {
      const { tracer, spans } = tracerWith(env);
      const root = tracer.startRequest(request());
      expect(root.outgoingMeta(undefined).traceparent).toMatch(/-00$/);
      root.child('hop', 'echo', 'echo').end('ok', undefined);
      root.end('ok', undefined);
      expect(spans(), JSON.stringify(env)).toHaveLength(0);
    }
    const { tracer, spans } = tracerWith({
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '1',
    });
    const root = tracer.startRequest(request());
    root.child('hop', 'echo', 'echo').end('ok', undefined);
    root.end('ok', undefined);
    expect(spans()).toHaveLength(2);
  });

  it('makes spans the SDK encodes in both OTLP encodings', () => {
    const { tracer, spans } = tracerWith();
    const root = tracer.startRequest(request({ traceparent: `00-${TRACE}-${CALLER}-01` }));
    root.child('hop', 'echo', 'echo').end('ok', undefined);
    root.end('ok', undefined);

    const json = JSON.parse(new TextDecoder().decode(JsonTraceSerializer.serializeRequest(spans()))) as {
      resourceSpans: {
        scopeSpans: {
          scope: { name: string };
          spans: { name: string; traceId: string; parentSpanId?: string }[];
        }[];
      }[];
    };
    const scopeSpans = json.resourceSpans[0]?.scopeSpans ?? [];
    expect(scopeSpans).toHaveLength(1);
    expect(scopeSpans[0]?.scope.name).toBe('mcp-gateway');
    expect(scopeSpans[0]?.spans.map((span) => span.name)).toEqual([
      'tools/call echo',
      'tools/call echo__echo',
    ]);
    expect(scopeSpans[0]?.spans[1]).toMatchObject({ traceId: TRACE, parentSpanId: CALLER });

    const protobuf = ProtobufTraceSerializer.serializeRequest(spans());
    expect(protobuf).toBeInstanceOf(Uint8Array);
    const bytes = Buffer.from(protobuf ?? new Uint8Array());
    expect(bytes.includes(Buffer.from('tools/call echo__echo'))).toBe(true);
    expect(bytes.includes(Buffer.from(TRACE, 'hex'))).toBe(true);
  });
});
