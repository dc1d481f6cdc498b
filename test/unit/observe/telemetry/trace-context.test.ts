import { TraceFlags } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';

import { formatTraceparent, parseTraceparent } from '../../../../src/observe/telemetry/trace-context.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';

describe('the W3C trace context', () => {
  it('reads a traceparent and its tracestate, and writes one back', () => {
    const parent = parseTraceparent(`00-${TRACE}-${SPAN}-01`, 'vendor=opaque');
    expect(parent).toMatchObject({
      traceId: TRACE,
      spanId: SPAN,
      traceFlags: TraceFlags.SAMPLED,
      isRemote: true,
    });
    expect(parent?.traceState?.get('vendor')).toBe('opaque');
    expect(formatTraceparent({ traceId: TRACE, spanId: SPAN, traceFlags: TraceFlags.NONE })).toBe(
      `00-${TRACE}-${SPAN}-00`,
    );
  });

  it('ignores what is not a valid traceparent', () => {
    for (const value of [
      undefined,
      42,
      'garbage',
      `ff-${TRACE}-${SPAN}-01`,
      `00-${'0'.repeat(32)}-${SPAN}-01`,
      `00-${TRACE}-${'0'.repeat(16)}-01`,
      `00-${TRACE}-${SPAN}-01-extra`,
      `00-${TRACE.toUpperCase()}-${SPAN}-01`,
    ]) {
      expect(parseTraceparent(value, undefined)).toBeUndefined();
    }
  });

  it('accepts a later version with fields after the flags', () => {
    expect(parseTraceparent(`01-${TRACE}-${SPAN}-01-more`, undefined)?.traceId).toBe(TRACE);
  });
});
