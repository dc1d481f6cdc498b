/**
 * What every open dashboard sees, kept up to date from the observation seam: the sessions connected, the last calls,
 * the per-backend call statistics, the backends and the pending pins. Sessions and changes are heard from the
 * start (they are rare); calls only while at least one dashboard stream is open, so that the call path builds no
 * record for a dashboard nobody looks at (`watchingCalls` is false then).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

import type { CallEvent, ClientInfo, SessionEvent } from '../shared/observation.js';
import { CallStats, type WindowOptions } from './call-stats.js';
import type { DashboardSources } from './dashboard-sources.js';
import { EventStream } from './event-stream.js';

/** A session as the page lists it. */
export interface SessionView {
  readonly sessionId: string;
  readonly principal: string;
  readonly frontDoor: string | undefined;
  readonly client: ClientInfo | undefined;
  /** ms since the epoch. */
  readonly openedAt: number;
}

/** A call as the page lists it: never its arguments. */
export interface CallView {
  readonly at: number;
  readonly server: string | undefined;
  readonly method: string;
  readonly tool: string | undefined;
  readonly outcome: string;
  readonly durationMs: number;
  readonly principal: string;
}

/** Limits and timings of a {@link LiveView}. */
export interface LiveViewOptions {
  /** At most this many dashboard streams at once. */
  readonly maxStreams: number;
  /** How many of the last calls are kept. */
  readonly recentCalls: number;
  readonly heartbeatMs: number;
  /** The statistics' window; its bucket length is also how often the statistics are sent. */
  readonly window: WindowOptions;
}

/** The live model and the streams that show it. */
export class LiveView {
  private readonly streams = new Set<EventStream>();
  private readonly sessions = new Map<string, SessionView>();
  private readonly calls: CallView[] = [];
  private readonly stats: CallStats;
  private readonly unsubscribe: (() => void)[];
  private unwatchCalls: (() => void) | undefined;
  private statsTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly sources: DashboardSources,
    private readonly options: LiveViewOptions,
  ) {
    this.stats = new CallStats(options.window);
    this.unsubscribe = [
      sources.observation.onSession((event) => this.onSession(event)),
      sources.onBackendsChanged(() => this.broadcast('backends', sources.backends())),
      sources.onPinsChanged(() => this.broadcast('pins', sources.pendingPins())),
    ];
  }

  /** Whether another stream may open. */
  get full(): boolean {
    return this.streams.size >= this.options.maxStreams;
  }

  /** The whole picture, as a new stream (or one that fell behind) gets it first. */
  snapshot(): object {
    return {
      now: Date.now(),
      backends: this.sources.backends(),
      sessions: [...this.sessions.values()],
      calls: this.calls,
      stats: this.stats.snapshot(Date.now()),
      bucketMs: this.options.window.bucketMs,
      pins: this.sources.pendingPins(),
    };
  }

  /** Serves `res` as an event stream until the client goes away; the caller checked {@link full}. */
  open(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      'X-Accel-Buffering': 'no',
    });
    if (this.streams.size === 0) this.watchCalls();
    const stream = new EventStream(
      res,
      () => this.snapshot(),
      this.options.heartbeatMs,
      () => {
        this.streams.delete(stream);
        if (this.streams.size === 0) this.unwatch();
      },
    );
    this.streams.add(stream);
    req.socket.setNoDelay(true);
  }

  /** Ends every stream and stops listening. */
  close(): void {
    for (const stream of this.streams) stream.close();
    this.unwatch();
    for (const stop of this.unsubscribe) stop();
  }

  private watchCalls(): void {
    this.unwatchCalls = this.sources.observation.onCall((event) => this.onCall(event));
    this.statsTimer = setInterval(
      () => this.broadcast('stats', this.stats.snapshot(Date.now())),
      this.options.window.bucketMs,
    );
    this.statsTimer.unref();
  }

  private unwatch(): void {
    this.unwatchCalls?.();
    this.unwatchCalls = undefined;
    clearInterval(this.statsTimer);
  }

  private onCall(event: CallEvent): void {
    const at = event.startedAt + event.durationMs;
    const call: CallView = {
      at,
      server: event.server,
      method: event.method,
      tool: event.tool,
      outcome: event.outcome,
      durationMs: event.durationMs,
      principal: event.principal,
    };
    // A 2025-era session is reported open before its client declared itself: its first call tells who it is.
    const session = event.sessionId === undefined ? undefined : this.sessions.get(event.sessionId);
    if (session && !session.client && event.client) {
      this.sessions.set(session.sessionId, { ...session, client: event.client });
      this.broadcast('sessions', [...this.sessions.values()]);
    }
    this.calls.push(call);
    if (this.calls.length > this.options.recentCalls) this.calls.shift();
    if (event.server !== undefined)
      this.stats.record(event.server, at, event.durationMs, event.outcome !== 'ok');
    this.broadcast('call', call);
  }

  private onSession(event: SessionEvent): void {
    if (event.sessionId === undefined) return;
    if (event.action === 'closed') this.sessions.delete(event.sessionId);
    else {
      this.sessions.set(event.sessionId, {
        sessionId: event.sessionId,
        principal: event.principal,
        frontDoor: event.frontDoor,
        client: event.client,
        openedAt: event.at,
      });
    }
    this.broadcast('sessions', [...this.sessions.values()]);
  }

  private broadcast(event: string, data: unknown): void {
    for (const stream of this.streams) stream.send(event, data);
  }
}
