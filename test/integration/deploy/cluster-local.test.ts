/**
 * `npm run cluster:local` as a user runs it: the script started for real, its ready line awaited, a client served
 * through the URL it prints, then Ctrl-C (SIGINT): it exits 0 and leaves no process and no temp folder behind.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import path from 'node:path';

import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { systemToolSkipReason } from '../../helpers/deploy/system-tool.js';
import { callTool, PROJECT_ROOT, writeEchoConfig } from '../../helpers/gateway-process.js';
import { findProcessesByMarker, isProcessAlive, listDescendants } from '../../helpers/process-table.js';
import { makeTempDir, removeTempDir } from '../../helpers/temp-dir.js';
import { textOf } from '../../helpers/text-of.js';

const skip = systemToolSkipReason('redis-server', 'redis-server') ?? systemToolSkipReason('nginx', 'nginx');
const SCRIPT = path.join(PROJECT_ROOT, 'scripts/cluster-local.ts');

describe.skipIf(skip !== undefined)('npm run cluster:local', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await makeTempDir('gateway-cluster-local-');
  });

  afterAll(async () => {
    await removeTempDir(dir);
  });

  it('serves through nginx in front of three replicas, and stops everything on Ctrl-C', async () => {
    const marker = `cluster-local-${process.pid}-${Date.now()}`;
    const config = await writeEchoConfig(dir, marker);
    const script = spawn(process.execPath, ['--import', 'tsx', SCRIPT, '--port', '0', '--config', config], {
      cwd: PROJECT_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    script.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const exited = once(script, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    const ready = await new Promise<string>((resolve, reject) => {
      script.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString('utf8');
        if (stdout.includes('Press Ctrl-C to stop.')) resolve(stdout);
      });
      void exited.then(([code]) =>
        reject(new Error(`cluster:local exited with ${code}:\n${stdout}${stderr}`)),
      );
    });

    const url = /local cluster ready: (\S+)/.exec(ready)?.[1];
    const replicaUrls = [...ready.matchAll(/replica (r\d): (\S+)/g)].map((match) => match[1]);
    const logs = /logs: (\S+)\/\*\.log/.exec(ready)?.[1];
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    expect(replicaUrls).toEqual(['r1', 'r2', 'r3']);
    expect(ready).toContain(`{"mcpServers":{"gateway":{"type":"http","url":"${url}"}}}`);
    expect(logs !== undefined && existsSync(path.join(logs, 'cluster.key'))).toBe(true);

    // Three clients through nginx: sessions on several replicas, each served by the one holding it.
    const clients = await Promise.all(
      [1, 2, 3].map(async () => {
        const client = new Client({ name: 'cluster-local-test', version: '1.0.0' });
        const transport = new StreamableHTTPClientTransport(new URL(url ?? ''));
        await client.connect(transport);
        return { client, transport };
      }),
    );
    for (const { client } of clients) {
      expect(textOf(await callTool(client, 'echo__echo', { text: 'through nginx' }))).toBe('through nginx');
    }
    const owners = new Set(clients.map(({ transport }) => transport.sessionId?.split('.')[0]));
    expect(owners.size).toBeGreaterThan(1);
    await Promise.all(clients.map(({ client }) => client.close()));

    // nginx (master and worker), Redis, three replicas and their echo backends.
    const pids = listDescendants(script.pid ?? 0);
    const backends = findProcessesByMarker(marker);
    expect(backends).toHaveLength(3);
    expect(pids).toEqual(expect.arrayContaining(backends));
    expect(pids.length).toBeGreaterThanOrEqual(2 + 1 + 3 + 3);

    script.kill('SIGINT');
    const [code] = await exited;

    expect(code, stderr).toBe(0);
    expect(pids.filter((pid) => isProcessAlive(pid))).toEqual([]);
    expect(existsSync(logs ?? '')).toBe(false);
  });

  it('says how to install redis-server when it is missing, and exits 1', async () => {
    // An empty PATH: nginx is still found in /usr/sbin, redis-server (in /usr/bin) is not.
    const emptyPath = await makeTempDir('gateway-empty-path-');
    try {
      const script = spawn(process.execPath, ['--import', 'tsx', SCRIPT, '--port', '0'], {
        cwd: PROJECT_ROOT,
        env: { ...process.env, PATH: emptyPath },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      script.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
      const [code] = (await once(script, 'exit')) as [number | null];

      expect(code).toBe(1);
      expect(stderr).toContain('cluster:local needs redis-server; on Debian or Ubuntu install it with:');
      expect(stderr).toContain('  sudo apt-get install -y redis-server\n');
    } finally {
      await removeTempDir(emptyPath);
    }
  });
});
