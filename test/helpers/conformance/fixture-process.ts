/**
 * A conformance fixture (test/fixtures/servers/conformance.mjs or modern-conformance.mjs) started as a real process
 * serving Streamable HTTP on 127.0.0.1, port 0.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';

import { fixturePath } from '../fixture-path.js';
import { CONFORMANCE_FIXTURES, type ConformanceFixtureName } from './expectations.js';

/** A conformance fixture serving Streamable HTTP. */
export interface ConformanceFixture {
  /** Its endpoint, `http://127.0.0.1:PORT/mcp`. */
  readonly url: URL;
  readonly pid: number;
  /** Everything it wrote to stderr so far. */
  stderr(): string;
  /** Sends SIGTERM and resolves with the exit code once it has exited (at once if it already has). */
  stop(): Promise<number | null>;
}

/**
 * Starts `node test/fixtures/servers/<fixture file> --http --port 0` (on the Node running the tests, like the
 * gateway's backends) and waits for its `listening on` line.
 *
 * @param fixture Which fixture.
 * @param env Added to the fixture's environment.
 */
export async function startConformanceFixture(
  fixture: ConformanceFixtureName,
  env: Readonly<Record<string, string>> = {},
): Promise<ConformanceFixture> {
  const file = CONFORMANCE_FIXTURES[fixture].file;
  const child = spawn(process.execPath, [fixturePath(file), '--http', '--port', '0'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const url = await new Promise<URL>((resolve, reject) => {
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
      const match = /^listening on (\S+)$/m.exec(stderr);
      if (match?.[1]) resolve(new URL(match[1]));
    });
    exited.then(
      ([code, signal]) => reject(new Error(`${file} exited (${code ?? signal}):\n${stderr}`)),
      reject,
    );
  });
  if (child.pid === undefined) throw new Error(`${file} has no pid`);
  return {
    url,
    pid: child.pid,
    stderr: () => stderr,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const [code] = await exited;
      return code;
    },
  };
}
