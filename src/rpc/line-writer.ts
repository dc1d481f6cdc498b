import type { Writable } from 'node:stream';

/**
 * Writes newline-delimited messages to a stream, coalescing the lines sent in the same turn of the event loop
 * into one write. Each write to a pipe is a system call that wakes the reader; under load (many calls in flight,
 * several responses read in one chunk) that, not the JSON, is most of a hop's cost. A line sent on its own is
 * written a microtask later, which adds no measurable latency.
 */
export class LineWriter {
  private pending: string[] = [];
  private flushed: Promise<void> | undefined;

  constructor(private readonly stream: Writable) {}

  /**
   * Queues one line (without its `\n`); resolves once the stream took it (after `drain` under backpressure, or
   * when the stream closes meanwhile), rejects when the stream was already closed.
   */
  write(line: string): Promise<void> {
    this.pending.push(line);
    this.flushed ??= new Promise<void>((resolve, reject) => {
      queueMicrotask(() => {
        this.flush().then(resolve, reject);
      });
    });
    return this.flushed;
  }

  /** Writes the lines still queued at once, then ends the stream: what was sent before the end is not lost. */
  end(): void {
    if (this.pending.length > 0 && !this.stream.destroyed && !this.stream.writableEnded) {
      this.stream.write(`${this.pending.join('\n')}\n`);
    }
    this.pending = [];
    this.stream.end();
  }

  private async flush(): Promise<void> {
    const lines = this.pending;
    this.pending = [];
    this.flushed = undefined;
    if (lines.length === 0) return;
    if (this.stream.destroyed || this.stream.writableEnded) throw new Error('the stream is closed');
    const data = lines.length === 1 ? `${lines[0]}\n` : `${lines.join('\n')}\n`;
    if (!this.stream.write(data)) await drainedOrClosed(this.stream);
  }
}

/** Resolves on `drain` or `close`, whichever comes first, leaving no listener behind. */
function drainedOrClosed(stream: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
  });
}
