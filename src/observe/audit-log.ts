/**
 * The audit log: one JSON line per client request that reaches a backend (or is refused before it) and per change
 * of the gateway, appended to a file rolled by size ({@link RollingFile}: `audit.jsonl.1` is the newest earlier
 * file). Each line is in the file before the call that made it goes on, so the response follows its record; with
 * `required`, a line that cannot be written is a refused call. A file that cannot be written (a full disk, a missing
 * folder) is reported on stderr and opened again every few seconds.
 */
import { GatewayError } from '../errors/gateway-error.js';
import { plainMessage } from '../errors/protocol-error.js';
import type { Logger } from '../logger.js';
import type { Admission, CallEvent, CallGate, ChangeEvent } from '../shared/observation.js';
import { callRecord, changeRecord, toLine, type AuditRecord } from './audit-record.js';
import { RollingFile } from './rolling-file.js';

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
  /** Roll before a line would take the file past this many bytes. */
  readonly maxBytes: number;
  /** Earlier files kept (`audit.jsonl.1` to `.<maxFiles>`). */
  readonly maxFiles: number;
  readonly logger: Logger;
  /** Milliseconds; tests move it. Default `performance.now`. */
  readonly clock?: () => number;
}

const NOTHING_HELD: Admission = { admitted: true, release: () => undefined };

/** An open audit log. Subscribe {@link onCall} and {@link onChange}; with `required`, add {@link gate} too. */
export class AuditLog {
  private file: RollingFile | undefined;
  private failure: { readonly error: Error; readonly at: number } | undefined;
  private lost = 0;
  private closed = false;
  private readonly clock: () => number;

  private constructor(private readonly options: AuditLogOptions) {
    this.clock = options.clock ?? (() => performance.now());
    this.openFile();
  }

  /** Opens the file, or reports it unwritable (the gateway serves either way). */
  static open(options: AuditLogOptions): Promise<AuditLog> {
    return Promise.resolve(new AuditLog(options));
  }

  /** Whether the file cannot be written now. */
  get failing(): boolean {
    return this.failure !== undefined;
  }

  /**
   * Writes a call's record: undefined once it is in the file (or, without `required`, lost and reported); with
   * `required`, a rejected promise (the call's refusal) when it cannot be written.
   */
  readonly onCall = (event: CallEvent): Promise<void> | undefined =>
    this.write(callRecord(event, this.options.arguments));

  /** Writes a change's record, as {@link onCall} does. */
  readonly onChange = (event: ChangeEvent): Promise<void> | undefined => this.write(changeRecord(event));

  /** With `required`: refuses every request while the file cannot be written. */
  readonly gate: CallGate = {
    admit: () => {
      if (!this.failure) return NOTHING_HELD;
      this.retryIfDue();
      if (!this.failure) return NOTHING_HELD;
      return { admitted: false, limit: 'audit', error: this.unavailable(this.failure.error) };
    },
  };

  /** Closes the file: every line is in it already. Idempotent. */
  close(): Promise<void> {
    this.closed = true;
    const file = this.file;
    this.file = undefined;
    try {
      file?.close();
    } catch (error) {
      this.options.logger.warn(
        `audit log ${this.options.file} did not close cleanly: ${plainMessage(error)}`,
      );
    }
    return Promise.resolve();
  }

  private write(record: AuditRecord): Promise<void> | undefined {
    if (this.closed) return undefined;
    if (this.failure) this.retryIfDue();
    const file = this.file;
    if (file) {
      try {
        file.append(toLine(record));
        return undefined;
      } catch (error) {
        this.fail(toError(error));
      }
    }
    if (this.options.required) return Promise.reject(this.unavailable(this.failure?.error));
    this.lost += 1;
    return undefined;
  }

  /** Opens (or opens anew) the file; a failure is reported and kept until a later attempt succeeds. */
  private openFile(): void {
    const { file, maxBytes, maxFiles } = this.options;
    try {
      this.file = RollingFile.open(file, maxBytes, maxFiles);
    } catch (error) {
      this.fail(toError(error));
      return;
    }
    this.recovered();
  }

  private fail(error: Error): void {
    const file = this.file;
    this.file = undefined;
    try {
      file?.close();
    } catch {
      // Closing a file that failed: nothing more to learn from it.
    }
    if (this.failure) return;
    this.failure = { error, at: this.clock() };
    this.lost = 0;
    const { required, logger } = this.options;
    logger.error(
      `audit log ${this.options.file} cannot be written: ${plainMessage(error)}; ` +
        (required
          ? 'calls are refused until it can (audit.required)'
          : 'records are lost until it can (set audit.required to refuse calls instead)'),
    );
  }

  private recovered(): void {
    if (!this.failure) return;
    this.failure = undefined;
    const lost = this.options.required ? '' : ` (${this.lost} record(s) lost meanwhile)`;
    this.options.logger.info(`audit log ${this.options.file} is written again${lost}`);
  }

  /** Opens the file anew when the last failure is old enough; the failure stays unless it opens. */
  private retryIfDue(): void {
    const failure = this.failure;
    if (!failure || this.closed || this.clock() - failure.at < AUDIT_RETRY_MS) return;
    this.failure = { error: failure.error, at: this.clock() };
    this.openFile();
  }

  /** The refusal a client gets: the system's error code, never the path or its message. */
  private unavailable(error: Error | undefined): GatewayError {
    const code = error === undefined ? undefined : (error as NodeJS.ErrnoException).code;
    return new GatewayError(
      'audit_unavailable',
      `Refused: the gateway's audit log cannot be written${code === undefined ? '' : ` (${code})`}, and its ` +
        'operator requires every call to be recorded; try again once the operator has fixed it',
      { data: { limit: 'audit' } },
    );
  }
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
