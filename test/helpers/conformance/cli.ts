/**
 * One run of the suite's CLI (`conformance`), on the Node that suite-node.ts finds, under a watchdog.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';

import { SUITE_DIR } from './requirements.js';

/** The suite's CLI (`conformance`), run with a Node 22+ binary. */
export const CONFORMANCE_CLI = path.join(SUITE_DIR, 'dist/index.js');

/** How a CLI process ended. */
export interface CliRun {
  readonly code: number | null;
  /** Its stdout and stderr, interleaved. */
  readonly output: string;
  /** The scenario that was running when the watchdog killed the process, if it did. */
  readonly timedOut?: string;
}

/** How to run the CLI. */
export interface CliOptions {
  /** The Node binary (22 or later). */
  readonly node: string;
  /** The working folder (the CLI writes nothing there when given `--output-dir`). */
  readonly cwd: string;
  /** Deadline of each scenario, in milliseconds. */
  readonly timeoutMs: number;
  /** Added to the process's environment. */
  readonly env?: Readonly<Record<string, string>>;
  /** The processes running: the new one is added while it runs, so that an abort can kill it. */
  readonly live: Set<ChildProcess>;
}

/** The line the CLI prints as each scenario starts. */
const SCENARIO_START = /^Running client scenario '([^']+)'/gm;

/**
 * Runs the conformance CLI with `args`. A watchdog kills it (SIGKILL) when one scenario, from the line announcing it
 * (or from the start, for the first), runs longer than `timeoutMs`.
 *
 * @returns How it ended, once it has exited.
 */
export async function runCli(args: readonly string[], options: CliOptions): Promise<CliRun> {
  const child = spawn(options.node, [CONFORMANCE_CLI, ...args], {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  options.live.add(child);
  let output = '';
  let started = 0;
  let current = '(starting)';
  let timedOut: string | undefined;
  const arm = (): NodeJS.Timeout =>
    setTimeout(() => {
      timedOut = current;
      child.kill('SIGKILL');
    }, options.timeoutMs);
  let timer = arm();
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
    const starts = [...output.matchAll(SCENARIO_START)];
    if (starts.length > started) {
      started = starts.length;
      current = starts.at(-1)?.[1] ?? current;
      clearTimeout(timer);
      timer = arm();
    }
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  try {
    const [code] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
    return { code, output, timedOut };
  } finally {
    clearTimeout(timer);
    options.live.delete(child);
  }
}
