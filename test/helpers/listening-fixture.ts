/**
 * A fixture server that serves HTTP on 127.0.0.1 and says where on stderr (`listening on <url>`), started for a
 * test and stopped (SIGTERM, then waited for) at its sandbox's teardown.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';

import { fixturePath } from './fixture-path.js';
import type { ProcessSandbox } from './process-sandbox.js';

/** Starts `test/fixtures/servers/<file>` with `args` and `env` (beside the sandbox's), and resolves with its URL. */
export function startListeningFixture(
  sandbox: ProcessSandbox,
  file: string,
  args: readonly string[] = [],
  env: Readonly<Record<string, string>> = {},
): Promise<URL> {
  const child = spawn(process.execPath, [fixturePath(file), ...args], {
    env: { ...process.env, ...sandbox.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  sandbox.defer(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
  });
  let stderr = '';
  return new Promise((resolve, reject) => {
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
      const match = /listening on (\S+)/.exec(stderr);
      if (match?.[1]) resolve(new URL(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`${file} exited with ${code}: ${stderr}`)));
  });
}
