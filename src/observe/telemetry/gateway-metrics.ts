/**
 * The gateway's metrics, fed by the observation seam: calls by server, tool, method, route and outcome, and their
 * duration (each {@link CallEvent}); sessions by front door; changes; and the backends' state, restarts and start
 * time, read when metrics are collected. Client requests in flight are counted by the request tracer.
 */
import type { Attributes, Meter } from '@opentelemetry/api';

import type { BackendInfo } from '../../shared/backend-info.js';
import { BACKEND_STATES } from '../../shared/backend-info.js';
import type { CallEvent, ChangeEvent, SessionEvent } from '../../shared/observation.js';
import {
  ATTR_ACTION,
  ATTR_BACKEND_STATE,
  ATTR_FRONT_DOOR,
  ATTR_METHOD,
  ATTR_OUTCOME,
  ATTR_ROUTE,
  ATTR_SERVER,
  ATTR_TOOL,
} from './attribute-names.js';

/** What the metrics read of the backends when they are collected. */
export type BackendSnapshot = () => readonly Pick<BackendInfo, 'name' | 'state' | 'restarts' | 'uptimeMs'>[];

/**
 * Distinct attribute sets kept for reuse; past this, a call's tool is counted as `other` (a client can name any
 * tool in a refused call, and each distinct set is a time series).
 */
const MAX_CALL_SERIES = 2000;

/** Adds `change` to the requests in flight of `attributes` (the same object for every request of a method). */
export type InFlightCount = (attributes: Attributes, change: number) => void;

/** The listeners that feed the metrics, and the in-flight counter the tracer feeds. */
export interface GatewayMetrics {
  readonly onCall: (event: CallEvent) => void;
  readonly onChange: (event: ChangeEvent) => void;
  readonly onSession: (event: SessionEvent) => void;
  /** Counts client requests in flight: +1 when one starts, -1 when it ends (`attributes` reused per method). */
  readonly requestsInFlight: InFlightCount;
}

/** Creates the instruments on `meter`; `backends` is read at each collection. */
export function createGatewayMetrics(meter: Meter, backends: BackendSnapshot): GatewayMetrics {
  // Counted here and read at collection: the SDK hashes the attributes of every recording, which a call should
  // pay once (the histogram), not for every instrument.
  const callCounts = new Map<Attributes, number>();
  const calls = meter.createObservableCounter('mcp.gateway.calls', {
    description: 'Requests forwarded to backends, by server, tool, method, route and outcome',
    unit: '{call}',
  });
  calls.addCallback((result) => {
    for (const [attributes, count] of callCounts) result.observe(count, attributes);
  });
  const duration = meter.createHistogram('mcp.gateway.call.duration', {
    description: "Time from a backend request's start to its answer (or failure)",
    unit: 's',
    advice: {
      explicitBucketBoundaries: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    },
  });
  const inFlight = new Map<Attributes, number>();
  meter
    .createObservableUpDownCounter('mcp.gateway.requests.in_flight', {
      description: 'Client requests (tools/call, resources/read, prompts/get...) being served, by method',
      unit: '{request}',
    })
    .addCallback((result) => {
      for (const [attributes, count] of inFlight) result.observe(count, attributes);
    });
  const sessions = meter.createUpDownCounter('mcp.gateway.sessions', {
    description: 'Open client sessions, by front door',
    unit: '{session}',
  });
  const sessionsOpened = meter.createCounter('mcp.gateway.sessions.opened', {
    description: 'Client sessions opened, by front door',
    unit: '{session}',
  });
  const changes = meter.createCounter('mcp.gateway.changes', {
    description: 'Changes to the gateway (register, remove, restart, reload...), by action and outcome',
    unit: '{change}',
  });
  observeBackends(meter, backends);

  const callSeries = new Map<string, Attributes>();
  const callAttributes = (event: CallEvent): Attributes => {
    const key = `${event.server ?? ''}\0${event.tool ?? ''}\0${event.method}\0${event.route}\0${event.outcome}`;
    let attributes = callSeries.get(key);
    if (attributes) return attributes;
    attributes = { [ATTR_METHOD]: event.method, [ATTR_ROUTE]: event.route, [ATTR_OUTCOME]: event.outcome };
    if (event.server !== undefined) attributes[ATTR_SERVER] = event.server;
    if (event.tool !== undefined)
      attributes[ATTR_TOOL] = callSeries.size < MAX_CALL_SERIES ? event.tool : 'other';
    if (callSeries.size < MAX_CALL_SERIES) callSeries.set(key, attributes);
    return attributes;
  };
  const frontDoors = new Map<string, Attributes>();
  const frontDoorAttributes = (frontDoor: string): Attributes => {
    let attributes = frontDoors.get(frontDoor);
    if (!attributes) frontDoors.set(frontDoor, (attributes = { [ATTR_FRONT_DOOR]: frontDoor }));
    return attributes;
  };
  return {
    requestsInFlight: (attributes, change) =>
      inFlight.set(attributes, (inFlight.get(attributes) ?? 0) + change),
    onCall: (event) => {
      const attributes = callAttributes(event);
      callCounts.set(attributes, (callCounts.get(attributes) ?? 0) + 1);
      duration.record(event.durationMs / 1000, attributes);
    },
    onChange: (event) => changes.add(1, { [ATTR_ACTION]: event.action, [ATTR_OUTCOME]: event.outcome }),
    onSession: (event) => {
      const attributes = frontDoorAttributes(event.frontDoor ?? 'none');
      sessions.add(event.action === 'opened' ? 1 : -1, attributes);
      if (event.action === 'opened') sessionsOpened.add(1, attributes);
    },
  };
}

/** The backends' gauges, read at each collection: one snapshot serves all three. */
function observeBackends(meter: Meter, backends: BackendSnapshot): void {
  const state = meter.createObservableGauge('mcp.gateway.backend.state', {
    description: 'Whether a backend is in a state: 1 for its current state, 0 for the others',
    unit: '{state}',
  });
  const restarts = meter.createObservableCounter('mcp.gateway.backend.restarts', {
    description: 'Restart attempts of a backend since it was registered',
    unit: '{restart}',
  });
  const startTime = meter.createObservableGauge('mcp.gateway.backend.start_time', {
    description: "When a running backend's current connection started, in seconds since the epoch",
    unit: 's',
  });
  meter.addBatchObservableCallback(
    (result) => {
      const now = Date.now();
      for (const backend of backends()) {
        const server = { [ATTR_SERVER]: backend.name };
        for (const each of BACKEND_STATES) {
          result.observe(state, each === backend.state ? 1 : 0, { ...server, [ATTR_BACKEND_STATE]: each });
        }
        result.observe(restarts, backend.restarts, server);
        if (backend.uptimeMs !== null)
          result.observe(startTime, Math.round(now - backend.uptimeMs) / 1000, server);
      }
    },
    [state, restarts, startTime],
  );
}
