/**
 * The audit log: one JSON line per client request that reaches a backend (or is refused before it) and per change
 * of the gateway, written to a file rotated by size (`rotating-file-stream`, classical rotation: `audit.jsonl.1` is
 * the newest rotated file). The response waits until its line is written; with `required`, a line that cannot be
 * is a refused call. A file that cannot
 * be written (a full disk, a missing folder) is reported on stderr and tried again every few seconds.
 */
import path from 'node:path';

import { createStream, type RotatingFileStream } from 'rotating-file-stream';

import { GatewayError } from '../errors/gateway-error.js';
import { plainMessage } from '../errors/protocol-error.js';
import type { Logger } from '../logger.js';
import type { Admission, CallEvent, CallGate, ChangeEvent } from '../shared/observation.js';
import { callRecord, changeRecord, toLine, type AuditRecord } from './audit-record.js';
import { GroupedWrites } from './grouped-writes.js';

/** After a failure, the file is opened again on the next record after this long. */
export const AUDIT_RETRY_MS = 5000;

/** How the audit log is kept. */
export interface AuditLogOptions {
  /** Absolute path of the file. */
  readonly file: string;
  /** Write argument values (redacted). */
  readonly arguments: boolean;
  /** Refuse calls rather than lose records. */
  readonly required: boolean;
  /** Rotate at this size: `rotating-file-stream`'s notation (`10M`, `1048576B`). */
  readonly maxSize: string;
  /** Rotated files kept. */
  readonly maxFiles: number;
  readonly logger: Logger;
  /** Milliseconds; tests move it. Default `performance.now`. */
  readonly clock?: () => number;
}

const NOTHING_HELD: Admission = { admitted: true, release: () => undefined };

/** An open audit log. Subscribe {@link onCall} and {@link onChange}; with `required`, add {@link gate} too. */
export class AuditLog {
  private stream: RotatingFileStream;
  private failure: { readonly error: Error; readonly at: number } | undefined;
  private lost = 0;
  private closing: Promise<void> | undefined;
  private readonly clock: () => number;
  /** Lines that come while one is written go together in the next write (to whichever stream is current then). */
  private readonly writes = new GroupedWrites((chunk, done) => this.stream.write(chunk, done));

  private constructor(private readonly options: AuditLogOptions) {
    this.clock = options.clock ?? (() => performance.now());
    this.stream = this.openStream();
  }

  /** Opens the file; resolves once it is open, or reported as unwritable (the gateway serves either way). */
  static async open(options: AuditLogOptions): Promise<AuditLog> {
    const log = new AuditLog(options);
    await new Promise<void>((resolve) => {
      log.stream.once('open', () => resolve());
      log.stream.once('error', () => resolve());
    });
    return log;
  }

  /** Whether the file cannot be written now. */
  get failing(): boolean {
    return this.failure !== undefined;
  }

  /** Writes a call's record; with `required`, resolves once written and rejects (a refusal) when it cannot be. */
  readonly onCall = (event: CallEvent): Promise<void> | undefined =>
    this.write(callRecord(event, this.options.arguments));

  /** Writes a change's record, as {@link onCall} does. */
  readonly onChange = (event: ChangeEvent): Promise<void> | undefined => this.write(changeRecord(event));

  /** With `required`: refuses every request while the file cannot be written. */
  readonly gate: CallGate = {
    admit: () => {
      if (!this.failure) return NOTHING_HELD;
      this.retryIfDue();
      return { admitted: false, limit: 'audit', error: this.unavailable(this.failure.error) };
    },
  };

  /** Ends the file (what was handed to the stream is written first). Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.writes.settled().then(() => this.endStream());
    return this.closing;
  }

  private endStream(): Promise<void> {
    return new Promise<void>((resolve) => {
      if (this.stream.destroyed || this.stream.writableFinished) {
        resolve();
        return;
      }
      this.stream.once('close', () => resolve());
      this.stream.once('error', () => resolve());
      this.stream.end();
    });
  }

  private write(record: AuditRecord): Promise<void> | undefined {
    if (this.closing) return undefined;
    if (this.failure) {
      this.retryIfDue();
      if (this.options.required) return Promise.reject(this.unavailable(this.failure.error));
      this.lost += 1;
      return undefined;
    }
    const line = toLine(record);
    // The response waits until the line is in the file: a client that got its answer can count on the record.
    return this.writes.add(line).then((error) => {
      // Without `required` a lost line is reported (once, by the stream's error) and the call goes on.
      if (error && this.options.required) throw this.unavailable(error);
    });
  }

  private openStream(): RotatingFileStream {
    const { file, maxSize, maxFiles, logger } = this.options;
    const stream = createStream(path.basename(file), {
      path: path.dirname(file),
      size: maxSize,
      rotate: maxFiles,
      // Argument values may be in it: readable by the gateway's user only.
      mode: 0o600,
    });
    stream.on('error', (error) => this.fail(stream, error));
    stream.on('open', () => this.recovered(stream));
    stream.on('warning', (error) => logger.warn(`audit log ${file}: ${plainMessage(error)}`));
    stream.on('rotated', (rotated) => logger.info(`audit log rotated to ${rotated}`));
    return stream;
  }

  private fail(stream: RotatingFileStream, error: Error): void {
    if (stream !== this.stream || this.failure) return;
    this.failure = { error, at: this.clock() };
    this.lost = 0;
    const { file, required, logger } = this.options;
    logger.error(
      `audit log ${file} cannot be written: ${plainMessage(error)}; ` +
        (required
          ? 'calls are refused until it can (audit.required)'
          : 'records are lost until it can (set audit.required to refuse calls instead)'),
    );
  }

  private recovered(stream: RotatingFileStream): void {
    if (stream !== this.stream || !this.failure) return;
    this.failure = undefined;
    const lost = this.options.required ? '' : ` (${this.lost} record(s) lost meanwhile)`;
    this.options.logger.info(`audit log ${this.options.file} is written again${lost}`);
  }

  /** Opens the file anew when the last failure is old enough; the failure stays until it is open. */
  private retryIfDue(): void {
    const failure = this.failure;
    if (!failure || this.clock() - failure.at < AUDIT_RETRY_MS || this.closing) return;
    this.failure = { error: failure.error, at: this.clock() };
    this.stream.destroy();
    this.stream = this.openStream();
  }

  /** The refusal a client gets: the system's error code, never the path or its message. */
  private unavailable(error: Error): GatewayError {
    const code = (error as NodeJS.ErrnoException).code;
    return new GatewayError(
      'audit_unavailable',
      `Refused: the gateway's audit log cannot be written${code === undefined ? '' : ` (${code})`}, and its ` +
        'operator requires every call to be recorded; try again once the operator has fixed it',
      { data: { limit: 'audit' } },
    );
  }
}
