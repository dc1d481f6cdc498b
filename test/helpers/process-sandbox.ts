/**
 * The lifecycle every test with real processes repeats, in one place: a fresh marker (put in the environment of
 * every process a test starts, and found again in /proc, grandchildren included), a temp folder, the gateways and
 * other processes started, and a teardown that stops them, waits until no process carrying the marker is left, and
 * removes the folder.
 */
import { randomUUID } from 'node:crypto';

import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';

import {
  connectStdioGateway,
  startHttpGateway,
  type HttpGateway,
  type StartHttpOptions,
  type StdioGateway,
} from './gateway-process.js';
import { findProcessesByMarker, waitForProcessesGone } from './process-table.js';
import { startRawStdioGateway, type RawStdioGateway } from './raw-stdio-gateway.js';
import { makeTempDir, removeTempDir } from './temp-dir.js';

/** The environment variable that carries the marker. */
export const MARKER_VARIABLE = 'GATEWAY_TEST_MARKER';

/** What a test file (or each of its tests) gets from {@link useProcessSandbox}. */
export interface ProcessSandbox {
  /** The temp folder; throws outside a test or hook. */
  readonly dir: string;
  /** The marker; throws outside a test or hook. */
  readonly marker: string;
  /** `{ GATEWAY_TEST_MARKER: <marker> }`: the environment to give every process started. */
  readonly env: Readonly<Record<string, string>>;
  /** Runs `step` at teardown, before the wait for the marked processes; the last deferred runs first. */
  defer(step: () => unknown): void;
  /** Spawns a gateway over stdio (see {@link connectStdioGateway}); its client is closed at teardown. */
  connectStdio(args: readonly string[], cwd?: string): Promise<StdioGateway>;
  /** Spawns a gateway serving HTTP (see {@link startHttpGateway}); stopped at teardown. */
  startHttp(args: readonly string[], options?: StartHttpOptions): Promise<HttpGateway>;
  /** Spawns a gateway spoken to in raw lines (see {@link startRawStdioGateway}); stopped at teardown. */
  startRawStdio(args: readonly string[]): Promise<RawStdioGateway>;
  /** Runs the deferred steps now and waits until no marked process is left; the folder stays. */
  stopProcesses(): Promise<void>;
}

/** Options of {@link useProcessSandbox}. */
export interface ProcessSandboxOptions {
  /** `file` (default): one sandbox for all the tests of the file or describe block; `test`: one for each test. */
  readonly per?: 'file' | 'test';
  /** How long the marked processes may take to exit at teardown; default 6000 ms. */
  readonly exitTimeoutMs?: number;
}

interface Current {
  readonly dir: string;
  readonly marker: string;
  readonly steps: (() => unknown)[];
}

/**
 * Registers the hooks that set a sandbox up (a folder named `<prefix>...` and a marker) and tear it down, in the
 * file or `describe` block where it is called; returns the sandbox, usable in the tests and in later hooks.
 */
export function useProcessSandbox(prefix: string, options: ProcessSandboxOptions = {}): ProcessSandbox {
  const exitTimeoutMs = options.exitTimeoutMs ?? 6000;
  let current: Current | undefined;
  const now = (): Current => {
    if (!current) throw new Error('the process sandbox is used outside a test or hook');
    return current;
  };
  const stopProcesses = async (): Promise<void> => {
    const { steps, marker } = now();
    const errors: unknown[] = [];
    for (const step of steps.splice(0).reverse()) {
      try {
        await step();
      } catch (error) {
        errors.push(error);
      }
    }
    await waitForProcessesGone(findProcessesByMarker(marker), exitTimeoutMs);
    if (errors.length > 0) throw new AggregateError(errors, 'stopping the processes of a test failed');
  };
  const [before, after] = options.per === 'test' ? [beforeEach, afterEach] : [beforeAll, afterAll];
  before(async () => {
    current = { dir: await makeTempDir(prefix), marker: `marker-${randomUUID()}`, steps: [] };
  });
  after(async () => {
    try {
      await stopProcesses();
    } finally {
      await removeTempDir(now().dir);
      current = undefined;
    }
  });

  const sandbox: ProcessSandbox = {
    get dir() {
      return now().dir;
    },
    get marker() {
      return now().marker;
    },
    get env() {
      return { [MARKER_VARIABLE]: now().marker };
    },
    defer: (step) => now().steps.push(step),
    connectStdio: async (args, cwd) => {
      const gateway = await connectStdioGateway(args, cwd);
      sandbox.defer(() => gateway.client.close());
      return gateway;
    },
    startHttp: async (args, startOptions) => {
      const gateway = await startHttpGateway(args, startOptions);
      sandbox.defer(() => gateway.stop());
      return gateway;
    },
    startRawStdio: async (args) => {
      const gateway = await startRawStdioGateway(args);
      sandbox.defer(() => gateway.stop());
      return gateway;
    },
    stopProcesses,
  };
  return sandbox;
}
