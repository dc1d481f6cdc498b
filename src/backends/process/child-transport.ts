/**
 * The SDK `Transport` over a child process's pipes. The only file that spawns.
 *
 * Unlike the SDK's `StdioClientTransport`, the child runs in its own process group and closing signals the whole
 * group, so wrappers (`npx`, `sh -c`) cannot leave grandchildren behind. Lines on the child's stdout that are not
 * JSON-RPC are skipped and counted instead of breaking the connection.
 */
import { once } from 'node:events';

import type { Transport, JSONRPCMessage } from '@modelcontextprotocol/server';
import { execa } from 'execa';

import type { Logger } from '../../logger.js';
import { parseJsonRpcLine } from '../../rpc/json-rpc-line.js';
import { LineSplitter } from '../../rpc/line-splitter.js';
import { LineWriter } from '../../rpc/line-writer.js';
import {
  killProcessGroup,
  trackProcessGroup,
  untrackProcessGroup,
  waitForGroupExit,
} from './process-group.js';

/** What to run. `env` is the child's whole environment: nothing is inherited implicitly. */
export interface ChildCommand {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
}

/** Limits and timings of a {@link ChildTransport}. */
export interface ChildTransportOptions {
  /** Prefixes the child's stderr lines in the gateway's log. */
  readonly logger: Logger;
  /** A message (one stdout line) larger than this fails the backend instead of exhausting memory. */
  readonly maxMessageBytes: number;
  /** How many of the child's last stderr lines are kept for error messages. */
  readonly stderrTailLines: number;
  /** How long `close()` waits after ending stdin before SIGTERM, then after SIGTERM before SIGKILL. */
  readonly closeGraceMs: number;
}

/** How the child ended, once it has. */
export interface ChildExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** Default limits: 16 MiB messages, 50 stderr lines, 2 s per step of the close ladder. */
export const DEFAULT_CHILD_TRANSPORT_OPTIONS: Omit<ChildTransportOptions, 'logger'> = {
  maxMessageBytes: 16 * 1024 * 1024,
  stderrTailLines: 50,
  closeGraceMs: 2000,
};

/** An SDK `Transport` speaking newline-delimited JSON-RPC with a child process in its own process group. */
export class ChildTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;

  private child: ReturnType<typeof spawnChild> | undefined;
  private readonly stderrTail: string[] = [];
  private skipped = 0;
  private exitInfo: ChildExit | undefined;
  private readonly exited: Promise<void>;
  private resolveExited!: () => void;
  private closing: Promise<void> | undefined;
  private closedNotified = false;
  private fatal: Error | undefined;
  private stdinWriter: LineWriter | undefined;

  constructor(
    private readonly spec: ChildCommand,
    private readonly options: ChildTransportOptions,
  ) {
    this.exited = new Promise((resolve) => (this.resolveExited = resolve));
  }

  /** The child's pid once spawned. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Exit code or signal once the child has exited. */
  get exit(): ChildExit | undefined {
    return this.exitInfo;
  }

  /** Why the transport gave up on the child, when it did (a message over the size limit). */
  get failure(): Error | undefined {
    return this.fatal;
  }

  /** How many stdout lines were skipped because they were not JSON-RPC messages. */
  get skippedLines(): number {
    return this.skipped;
  }

  /** The child's last stderr lines, oldest first. */
  recentStderr(): readonly string[] {
    return this.stderrTail;
  }

  /** Spawns the child; resolves once it runs, rejects when it cannot be started (no such command, no access). */
  async start(): Promise<void> {
    if (this.child) throw new Error('ChildTransport already started');
    const child = spawnChild(this.spec);
    this.child = child;
    // Settles once the child is gone (or never started); its result is read from the `exit` event instead.
    child.catch(() => undefined);

    const spawned = once(child, 'spawn').then(() => undefined);
    const failed = once(child, 'error').then(([error]) => {
      throw error as Error;
    });
    try {
      await Promise.race([spawned, failed]);
    } catch (error) {
      this.exitInfo = { code: null, signal: null };
      this.resolveExited();
      throw error;
    }
    failed.catch(() => undefined);
    const pid = child.pid;
    if (pid !== undefined) trackProcessGroup(pid);

    child.on('exit', (code, signal) => this.onExit(code, signal));
    child.on('error', (error) => this.onerror?.(error));
    // Writing to a child that just died raises EPIPE here; the exit handler reports the real cause.
    child.stdin.on('error', () => undefined);

    const stdout = new LineSplitter(this.options.maxMessageBytes);
    child.stdout.on('data', (chunk: Buffer) => {
      try {
        for (const line of stdout.push(chunk)) this.onLine(line);
      } catch (error) {
        // Over the size limit: end this backend cleanly rather than buffer without bound.
        this.fatal ??= error as Error;
        this.onerror?.(error as Error);
        void this.close();
      }
    });
    // Same bound as stdout: stderr without a newline must not grow without limit either. An over-long stderr
    // line is only diagnostics, so it is dropped rather than fatal.
    const stderr = new LineSplitter(this.options.maxMessageBytes);
    child.stderr.on('data', (chunk: Buffer) => {
      try {
        for (const line of stderr.push(chunk)) this.onStderrLine(line);
      } catch (error) {
        this.options.logger.warn(`dropped a stderr line: ${(error as Error).message}`);
      }
    });
  }

  /** Writes one message; resolves once the pipe accepted it (waiting for `drain` under backpressure). */
  async send(message: JSONRPCMessage): Promise<void> {
    const stdin = this.child?.stdin;
    if (!stdin || this.exitInfo || stdin.writableEnded) throw new Error('backend process is not running');
    this.stdinWriter ??= new LineWriter(stdin);
    await this.stdinWriter.write(JSON.stringify(message));
  }

  /**
   * Ends the child: closes its stdin, then SIGTERMs its process group, then SIGKILLs it, each step after
   * `closeGraceMs`. Idempotent; resolves once no process of the group is left (or the ladder ran out).
   */
  close(): Promise<void> {
    this.closing ??= this.runCloseLadder();
    return this.closing;
  }

  private async runCloseLadder(): Promise<void> {
    const child = this.child;
    const pid = child?.pid;
    if (!child || pid === undefined) {
      this.notifyClosed();
      return;
    }
    const grace = this.options.closeGraceMs;
    try {
      // Requests sent just before closing are written first: the backend sees them, then the end of its input.
      if (this.stdinWriter) this.stdinWriter.end();
      else child.stdin.end();
      if (!this.exitInfo) await Promise.race([this.exited, delay(grace)]);
      if (!this.exitInfo || (await waitForGroupExit(pid, 0)) === false) {
        killProcessGroup(pid, 'SIGTERM');
        if (!(await waitForGroupExit(pid, grace))) killProcessGroup(pid, 'SIGKILL');
      }
      await Promise.race([this.exited, delay(grace)]);
      await waitForGroupExit(pid, grace);
    } finally {
      untrackProcessGroup(pid);
      this.notifyClosed();
    }
  }

  private onLine(line: string): void {
    const { message, problem } = parseJsonRpcLine(line);
    if (message) this.onmessage?.(message);
    else if (problem !== undefined) this.skipLine(line);
  }

  private skipLine(line: string): void {
    this.skipped += 1;
    this.options.logger.debug('skipped a non-JSON-RPC line on stdout', { line: line.slice(0, 200) });
  }

  private onStderrLine(line: string): void {
    this.stderrTail.push(line);
    if (this.stderrTail.length > this.options.stderrTailLines) this.stderrTail.shift();
    this.options.logger.info(line);
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    this.exitInfo = { code, signal };
    this.resolveExited();
    // `exit` can come before the last stdout bytes are read: give them a moment so a final response is not lost.
    const stdout = this.child?.stdout;
    const drained =
      stdout && !stdout.readableEnded ? once(stdout, 'end').then(() => undefined) : Promise.resolve();
    void Promise.race([drained, delay(STDOUT_DRAIN_MS)]).then(() => this.notifyClosed());
    // The leader is gone but grandchildren may still hold the group: the ladder reaps them.
    void this.close();
  }

  private notifyClosed(): void {
    if (this.closedNotified) return;
    this.closedNotified = true;
    this.onclose?.();
  }
}

/** Why a command could not be started, as the user can fix it: `command "nodee" was not found (cwd: /srv)`. */
export function describeSpawnError(error: unknown, child: Pick<ChildCommand, 'command' | 'cwd'>): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return `command "${child.command}" was not found (cwd: ${child.cwd})`;
  if (code === 'EACCES') return `command "${child.command}" is not executable`;
  return (error as Error).message;
}

function spawnChild({ command, args, env, cwd }: ChildCommand) {
  return execa(command, args, {
    cwd,
    env,
    extendEnv: false,
    // Its own process group, so that closing can signal every process the backend started.
    detached: true,
    stdin: 'pipe',
    stdout: 'pipe',
    stderr: 'pipe',
    buffer: false,
    reject: false,
    // execa's own cleanup skips detached children; process-group.ts kills them when the gateway exits.
    cleanup: false,
    windowsHide: true,
  });
}

/** How long after the child's exit its remaining stdout may still be read. */
const STDOUT_DRAIN_MS = 200;

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
