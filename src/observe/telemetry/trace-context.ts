/**
 * The W3C trace context (https://www.w3.org/TR/trace-context/) as MCP carries it: `traceparent` and `tracestate`
 * in a request's `_meta`. Read from the client's request, written into the request the gateway sends a backend.
 */
import { TraceFlags, type SpanContext } from '@opentelemetry/api';
import { TraceState } from '@opentelemetry/core';

// version-traceId-parentId-flags; a later version may append fields after the flags.
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const INVALID_TRACE_ID = '0'.repeat(32);
const INVALID_SPAN_ID = '0'.repeat(16);

/** The remote span a `traceparent` names, or undefined when it is missing or malformed (then ignored, per spec). */
export function parseTraceparent(traceparent: unknown, tracestate: unknown): SpanContext | undefined {
  if (typeof traceparent !== 'string') return undefined;
  const match = TRACEPARENT.exec(traceparent.trim());
  if (!match) return undefined;
  const [, version, traceId = '', spanId = '', flags = '', rest] = match;
  // Version ff is invalid; version 00 has nothing after the flags.
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined;
  if (traceId === INVALID_TRACE_ID || spanId === INVALID_SPAN_ID) return undefined;
  return {
    traceId,
    spanId,
    traceFlags: Number.parseInt(flags, 16) & TraceFlags.SAMPLED,
    isRemote: true,
    traceState: typeof tracestate === 'string' ? new TraceState(tracestate) : undefined,
  };
}

/** The `traceparent` naming `span` as the parent of what a backend does for it. */
export function formatTraceparent(span: SpanContext): string {
  const sampled = (span.traceFlags & TraceFlags.SAMPLED) !== 0;
  return `00-${span.traceId}-${span.spanId}-${sampled ? '01' : '00'}`;
}
