/**
 * An append-only file rolled by size and written synchronously: `audit.jsonl` grows up to its size, is renamed
 * `audit.jsonl.1` (the previous `.1` becoming `.2`, and so on, the oldest past `keep` overwritten) and started anew.
 *
 * Written with `write(2)` on the caller's turn, because the audit log's contract is that a record is in the file
 * before the response it describes is sent: a synchronous append of one line costs about 2 µs of CPU, where a write
 * handed to libuv's thread pool (what the stream-based rolling libraries do) costs about 40 µs, which the call path
 * cannot afford; the rolling library that writes synchronously loads a date library of some 250 modules at start.
 * What is left to write by hand is small: a size count, a chain of renames, an open.
 */
import fs from 'node:fs';

/** Created readable by the gateway's user only: argument values may be in it. */
const FILE_MODE = 0o600;

/** An open rolling file. Every method throws the system's error (`ENOSPC`, `EACCES`, ...) as it comes. */
export class RollingFile {
  private fd: number | undefined;

  private constructor(
    private readonly file: string,
    private readonly maxBytes: number,
    private readonly keep: number,
    fd: number,
    private size: number,
  ) {
    this.fd = fd;
  }

  /** Opens `file` for appending (created if missing); rolls at `maxBytes`, keeping `keep` earlier files. */
  static open(file: string, maxBytes: number, keep: number): RollingFile {
    const fd = fs.openSync(file, 'a', FILE_MODE);
    try {
      return new RollingFile(file, maxBytes, keep, fd, fs.fstatSync(fd).size);
    } catch (error) {
      fs.closeSync(fd);
      throw error;
    }
  }

  /**
   * Appends `text` whole, rolling first when it would take a file that has something past the size (a record is
   * never cut across two files). A write that fails part way is taken back, so the file never holds half a record.
   */
  append(text: string): void {
    const length = Buffer.byteLength(text);
    if (this.size > 0 && this.size + length > this.maxBytes) this.roll();
    const fd = this.openFd();
    try {
      const written = fs.writeSync(fd, text);
      if (written < length) writeRest(fd, Buffer.from(text).subarray(written));
    } catch (error) {
      try {
        fs.ftruncateSync(fd, this.size);
      } catch {
        // The disk refuses even that: the error that matters is the write's.
      }
      throw error;
    }
    this.size += length;
  }

  /** Closes the file. Idempotent. */
  close(): void {
    const fd = this.fd;
    this.fd = undefined;
    if (fd !== undefined) fs.closeSync(fd);
  }

  private openFd(): number {
    if (this.fd === undefined) throw new Error(`${this.file} is closed`);
    return this.fd;
  }

  private roll(): void {
    // Closed first: a failure part way leaves it closed, and the caller opens the file anew once it can.
    this.close();
    for (let number = this.keep - 1; number >= 1; number--) {
      renameIfPresent(`${this.file}.${number}`, `${this.file}.${number + 1}`);
    }
    fs.renameSync(this.file, `${this.file}.1`);
    this.fd = fs.openSync(this.file, 'a', FILE_MODE);
    this.size = 0;
  }
}

function writeRest(fd: number, rest: Buffer): void {
  let offset = 0;
  while (offset < rest.length) offset += fs.writeSync(fd, rest, offset);
}

function renameIfPresent(from: string, to: string): void {
  try {
    fs.renameSync(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}
