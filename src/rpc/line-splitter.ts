/** Thrown when a line grows past the splitter's limit before its newline arrives. */
export class LineTooLongError extends Error {
  override readonly name = 'LineTooLongError';
}

/**
 * Cuts a byte stream into UTF-8 lines. Partial lines are kept as buffers (never re-concatenated per chunk), so a
 * large message arriving in many chunks costs one copy; a line longer than `maxBytes` throws.
 */
export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(private readonly maxBytes: number) {}

  /** Feeds a chunk; returns the complete lines it finished, without their `\n` (and a trailing `\r`). */
  push(chunk: Buffer): string[] {
    const lines: string[] = [];
    let start = 0;
    let newline = chunk.indexOf(0x0a, start);
    while (newline !== -1) {
      const piece = chunk.subarray(start, newline);
      const line = this.pendingBytes > 0 ? Buffer.concat([...this.pending, piece]) : piece;
      this.pending = [];
      this.pendingBytes = 0;
      if (line.length > this.maxBytes) throw this.tooLong(line.length);
      lines.push(trimCarriageReturn(line.toString('utf8')));
      start = newline + 1;
      newline = chunk.indexOf(0x0a, start);
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      this.pending.push(rest);
      this.pendingBytes += rest.length;
      if (this.pendingBytes > this.maxBytes) {
        const size = this.pendingBytes;
        this.pending = [];
        this.pendingBytes = 0;
        throw this.tooLong(size);
      }
    }
    return lines;
  }

  private tooLong(size: number): LineTooLongError {
    return new LineTooLongError(
      `a message exceeded the limit of ${this.maxBytes} bytes (${size} bytes so far)`,
    );
  }
}

function trimCarriageReturn(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}
