/**
 * Group commit of lines to a stream: while one write is in flight, the lines that come are gathered and written
 * together once it ends, so that many calls in flight cost one write (one system call) per turn rather than one each.
 * Each line's promise settles once the write that carried it ended.
 */

/** Writes a chunk and calls back once it is written, or failed. */
export type ChunkWriter = (chunk: string, done: (error: Error | null | undefined) => void) => void;

/** Lines gathered for the next write, and whoever waits for them. */
interface Group {
  readonly lines: string[];
  readonly waiting: ((error: Error | undefined) => void)[];
}

/** The writes of one stream. */
export class GroupedWrites {
  private next: Group | undefined;
  private writing = false;
  private idle: (() => void)[] = [];

  constructor(private readonly write: ChunkWriter) {}

  /** Writes `line`; resolves with the write's error (undefined once written). Never rejects. */
  add(line: string): Promise<Error | undefined> {
    return new Promise((resolve) => {
      this.next ??= { lines: [], waiting: [] };
      this.next.lines.push(line);
      this.next.waiting.push(resolve);
      if (!this.writing) this.flush();
    });
  }

  /** Resolves once nothing is in flight nor waiting. */
  settled(): Promise<void> {
    if (!this.writing && !this.next) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private flush(): void {
    const group = this.next;
    if (!group) {
      for (const resolve of this.idle.splice(0)) resolve();
      return;
    }
    this.next = undefined;
    this.writing = true;
    this.write(group.lines.join(''), (error) => {
      this.writing = false;
      for (const resolve of group.waiting) resolve(error ?? undefined);
      this.flush();
    });
  }
}
