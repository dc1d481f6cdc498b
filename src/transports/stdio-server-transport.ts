/**
 * The server side of stdio: newline-delimited JSON-RPC on a readable and a writable stream.
 *
 * The SDK's `StdioServerTransport` runs every incoming line through its message schema. The gateway checks each
 * message where it reads it (the fast path checks the fields of `tools/call` it uses, and the SDK Server checks the
 * rest), so this transport only sorts JSON-RPC lines from anything else. It also notices the end of stdin, which
 * the SDK's transport does not: a gateway whose client went away must not live on with its backends.
 */
import type { Readable, Writable } from 'node:stream';

import type { Transport, JSONRPCMessage } from '@modelcontextprotocol/server';
import { parseJsonRpcLine } from '../rpc/json-rpc-line.js';
import { LineSplitter } from '../rpc/line-splitter.js';
import { LineWriter } from '../rpc/line-writer.js';
import type { TrafficCount } from './session-opener.js';

/** Largest line accepted from the client; a longer one ends the connection rather than exhaust memory. */
export const DEFAULT_MAX_STDIN_LINE_BYTES = 64 * 1024 * 1024;

/** A {@link Transport} over a pair of streams, normally the process's stdin and stdout. */
export class StdioServerTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;

  /** Resolves once the connection is over: stdin ended or closed, a line was too long, or `close()`. */
  readonly closed: Promise<void>;
  private readonly lines: LineSplitter;
  private readonly writer: LineWriter;
  private isClosed = false;
  private markClosed!: () => void;
  private bytesIn = 0;
  private bytesOut = 0;

  constructor(
    private readonly input: Readable,
    private readonly output: Writable,
    maxLineBytes = DEFAULT_MAX_STDIN_LINE_BYTES,
  ) {
    this.lines = new LineSplitter(maxLineBytes);
    this.closed = new Promise((resolve) => (this.markClosed = resolve));
    this.writer = new LineWriter(output);
  }

  start(): Promise<void> {
    this.input.on('data', this.onData);
    this.input.on('error', this.onInputError);
    this.input.once('end', this.onEnd);
    this.input.once('close', this.onEnd);
    return Promise.resolve();
  }

  /** Writes one message; resolves once the stream took it (after `drain` under backpressure). */
  async send(message: JSONRPCMessage): Promise<void> {
    if (this.isClosed) throw new Error('the stdio connection is closed');
    const line = JSON.stringify(message);
    // The newline the writer adds is a byte too.
    this.bytesOut += Buffer.byteLength(line) + 1;
    await this.writer.write(line);
  }

  /** The bytes read from the client and written to it so far (for the metrics; read when they are collected). */
  traffic(): TrafficCount {
    return { in: this.bytesIn, out: this.bytesOut };
  }

  /** Stops reading; the streams themselves stay open (they belong to the process). */
  close(): Promise<void> {
    if (this.isClosed) return Promise.resolve();
    this.isClosed = true;
    this.input.off('data', this.onData);
    this.input.off('error', this.onInputError);
    this.input.off('end', this.onEnd);
    this.input.off('close', this.onEnd);
    if (this.input.listenerCount('data') === 0) this.input.pause();
    this.markClosed();
    this.onclose?.();
    return Promise.resolve();
  }

  private readonly onData = (chunk: Buffer | string): void => {
    let lines: string[];
    try {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      this.bytesIn += bytes.length;
      lines = this.lines.push(bytes);
    } catch (error) {
      this.onerror?.(error as Error);
      void this.close();
      return;
    }
    for (const line of lines) this.onLine(line);
  };

  private onLine(line: string): void {
    const { message, problem } = parseJsonRpcLine(line);
    if (message) this.onmessage?.(message);
    else if (problem !== undefined) this.onerror?.(new Error(`a line on stdin is ${problem}`));
  }

  private readonly onInputError = (error: Error): void => this.onerror?.(error);

  private readonly onEnd = (): void => void this.close();
}
