/**
 * One dashboard's server-sent event stream. Writes never queue without bound: when the socket's buffer is full
 * (`write` returned false) the events that follow are dropped, and once the buffer drained the stream gets a
 * fresh snapshot instead (a resync), so a slow browser costs the gateway one buffer, not a growing queue.
 */
import type { ServerResponse } from 'node:http';

/** What the stream asks for when it needs a whole new picture. */
export type SnapshotSource = () => unknown;

/** An open `text/event-stream` response. */
export class EventStream {
  private congested = false;
  private dropped = 0;
  private closed = false;
  private readonly heartbeat: NodeJS.Timeout;

  constructor(
    private readonly res: ServerResponse,
    private readonly snapshot: SnapshotSource,
    heartbeatMs: number,
    onClose: () => void,
  ) {
    res.on('drain', () => this.resync());
    res.on('close', () => {
      this.closed = true;
      clearInterval(this.heartbeat);
      onClose();
    });
    // A comment line: keeps proxies and the browser from timing the stream out, and finds dead connections.
    this.heartbeat = setInterval(() => this.write(': heartbeat\n\n'), heartbeatMs);
    this.heartbeat.unref();
    this.send('snapshot', snapshot());
  }

  /** Events dropped so far because the client did not keep up. */
  get droppedEvents(): number {
    return this.dropped;
  }

  /** Sends one event, or drops it while the client is behind. */
  send(event: string, data: unknown): void {
    if (this.closed) return;
    if (this.congested) {
      this.dropped += 1;
      return;
    }
    this.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  /** Ends the stream (the gateway is stopping). */
  close(): void {
    if (!this.closed) this.res.end();
  }

  private write(chunk: string): void {
    if (this.closed || this.congested) return;
    if (!this.res.write(chunk)) this.congested = true;
  }

  private resync(): void {
    if (!this.congested) return;
    this.congested = false;
    this.send('snapshot', this.snapshot());
  }
}
