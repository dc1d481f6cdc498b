import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { serverPath } from './example-server.js';
import { NATIVE_EXAMPLES } from '../helpers/native-examples.js';

type ServerName = 'weather' | 'sqlite' | 'filesystem';

// The sqlite example's native module runs only on the Node version that built it (see native-examples.ts).
const SERVERS: ServerName[] = NATIVE_EXAMPLES
  ? ['weather', 'sqlite', 'filesystem']
  : ['weather', 'filesystem'];

describe.each<ServerName>(SERVERS)('%s server lifecycle', (name) => {
  let tempDir: string;
  const children: ChildProcessWithoutNullStreams[] = [];

  beforeAll(async () => {
    tempDir = await mkdtemp(path.join(os.tmpdir(), `example-${name}-lifecycle-`));
  });
  afterEach(() => {
    // Only a failed test leaves a child running.
    for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  });
  afterAll(async () => {
    await rm(tempDir, { recursive: true, force: true });
  });

  /** Spawns the server and resolves once it reports being ready on stderr, with its stderr so far. */
  async function startServer(): Promise<{ child: ChildProcessWithoutNullStreams; stderr: () => string }> {
    const extra = {
      weather: [],
      sqlite: ['--db-path', path.join(tempDir, 'db.sqlite')],
      filesystem: ['--sandbox', tempDir],
    };
    const child = spawn(process.execPath, [serverPath(name), ...extra[name]], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    children.push(child);
    let stderr = '';
    await new Promise<void>((resolve, reject) => {
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        stderr += chunk;
        if (stderr.includes('MCP server ready on stdio')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`${name} exited early with code ${code}: ${stderr}`)));
    });
    return { child, stderr: () => stderr };
  }

  it('exits with code 0 when its stdin closes', async () => {
    const { child, stderr } = await startServer();
    const exited = once(child, 'exit');
    child.stdin.end();
    expect(await exited).toEqual([0, null]);
    expect(stderr()).toContain('exiting (stdin ended)');
  });

  it.each(['SIGTERM', 'SIGINT'] as const)('exits with code 0 on %s', async (signal) => {
    const { child, stderr } = await startServer();
    const exited = once(child, 'exit');
    child.kill(signal);
    expect(await exited).toEqual([0, null]);
    expect(stderr()).toContain(`exiting (${signal})`);
  });

  it('keeps its diagnostics off stdout, which belongs to the protocol', async () => {
    const { child } = await startServer();
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    const exited = once(child, 'exit');
    child.stdin.end();
    await exited;
    expect(stdout).toBe('');
  });
});
