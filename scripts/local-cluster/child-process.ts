/**
 * The processes of the local cluster: started in their own process group (so that Ctrl-C reaches the script
 * alone, which then stops them in order), their output kept in a log file, stopped with a signal and awaited.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { appendFileSync } from 'node:fs';
import net from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';

const STOP_GRACE_MS = 15_000;
const POLL_MS = 50;

/** A running program of the cluster. */
export interface ClusterChild {
  readonly name: string;
  readonly process: ChildProcess;
  /** Its log file (stdout and stderr). */
  readonly log: string;
  /** What it wrote so far. */
  output(): string;
  /** Resolves once it has exited. */
  readonly exited: Promise<void>;
  /** Sends `signal` (SIGKILL after a grace period) and resolves once it has exited. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** Starts `command args`, its output appended to `log`. */
export function startChild(
  name: string,
  command: string,
  args: readonly string[],
  log: string,
  env: NodeJS.ProcessEnv = process.env,
): ClusterChild {
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  const keep = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    appendFileSync(log, chunk);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', (error) => {
      output += `${error.message}\n`;
      resolve();
    });
  });
  const isRunning = () => child.exitCode === null && child.signalCode === null && child.pid !== undefined;
  return {
    name,
    process: child,
    log,
    output: () => output,
    exited,
    stop: async (signal = 'SIGTERM') => {
      if (!isRunning()) return;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Resolves with the first match of `pattern` in the child's output; rejects if it exits or `timeoutMs` passes. */
export async function waitForOutput(
  child: ClusterChild,
  pattern: RegExp,
  timeoutMs: number,
): Promise<RegExpExecArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = pattern.exec(child.output());
    if (match) return match;
    if (child.process.exitCode !== null || child.process.signalCode !== null) {
      throw new Error(`${child.name} exited before it was ready:\n${lastLines(child.output())}`);
    }
    if (Date.now() > deadline) throw new Error(`${child.name} was not ready after ${timeoutMs} ms`);
    await delay(POLL_MS);
  }
}

/** Resolves once `url` answers 200; rejects if the child exits or `timeoutMs` passes. */
export async function waitForHttp(child: ClusterChild, url: URL, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.process.exitCode !== null || child.process.signalCode !== null) {
      throw new Error(`${child.name} exited before it was ready:\n${lastLines(child.output())}`);
    }
    try {
      if ((await fetch(url)).status === 200) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`${url.href} did not answer 200 within ${timeoutMs} ms`);
    await delay(POLL_MS);
  }
}

/** A TCP port free on 127.0.0.1 right now (a program told to listen there may still lose it to another). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

/** The last lines of a program's output, for an error message. */
export function lastLines(text: string, count = 15): string {
  return text.trimEnd().split('\n').slice(-count).join('\n');
}
