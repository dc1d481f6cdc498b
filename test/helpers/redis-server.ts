/**
 * A private `redis-server` per test file, on a Unix socket in a temp folder (no TCP port, never a system Redis),
 * and the cluster key and environment gateway replicas join it with. Skipped only when `redis-server` is absent and
 * `MCP_GATEWAY_REQUIRE_REDIS` is unset.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import path from 'node:path';

import { Redis } from 'ioredis';

import { makeTempDir, removeTempDir } from './temp-dir.js';
import { waitFor } from './wait-for.js';

/** Whether `redis-server` can be run here. */
export const REDIS_AVAILABLE = spawnSync('redis-server', ['--version']).status === 0;

/** Why the cluster tests are skipped, or undefined when they run; throws when Redis is required but missing. */
export function redisSkipReason(): string | undefined {
  if (REDIS_AVAILABLE) return undefined;
  if (process.env.MCP_GATEWAY_REQUIRE_REDIS) {
    throw new Error(
      'MCP_GATEWAY_REQUIRE_REDIS is set but redis-server is not installed (apt-get install redis-server)',
    );
  }
  return 'redis-server is not installed (apt-get install redis-server); set MCP_GATEWAY_REQUIRE_REDIS=1 to fail instead';
}

/** A running private Redis. */
export interface TestRedis {
  /** `unix:///…/redis.sock`, as `--redis` takes it. */
  readonly url: string;
  /** A client of it (closed by `stop`). */
  readonly client: Redis;
  readonly process: ChildProcess;
  /** Freezes the server (SIGSTOP): connections stay open, nothing is answered. */
  pause(): void;
  /** Lets a frozen server go on (SIGCONT). */
  resume(): void;
  stop(): Promise<void>;
}

/** Starts `redis-server` on a socket in a new temp folder, without persistence. */
export async function startTestRedis(): Promise<TestRedis> {
  const dir = await makeTempDir('gateway-redis-');
  const socket = path.join(dir, 'redis.sock');
  const child = spawn(
    'redis-server',
    [
      '--port',
      '0',
      '--unixsocket',
      socket,
      '--unixsocketperm',
      '700',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
    ],
    { stdio: 'ignore' },
  );
  const client = new Redis({ path: socket, lazyConnect: true, maxRetriesPerRequest: null });
  client.on('error', () => undefined);
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode}`);
      try {
        if (client.status === 'wait') await client.connect();
        return (await client.ping()) === 'PONG';
      } catch {
        return false;
      }
    },
    { description: 'redis-server to answer PING', timeoutMs: 10_000, intervalMs: 50 },
  );
  return {
    url: `unix://${socket}`,
    client,
    process: child,
    pause: () => child.kill('SIGSTOP'),
    resume: () => child.kill('SIGCONT'),
    stop: async () => {
      client.disconnect();
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGCONT');
        const exited = once(child, 'exit');
        child.kill('SIGTERM');
        await exited;
      }
      await removeTempDir(dir);
    },
  };
}

/** A fresh cluster key, hex. */
export function newClusterKey(): string {
  return randomBytes(32).toString('hex');
}

/** The environment of replica `id` of a cluster with this key. */
export function replicaEnv(id: string, key: string): Record<string, string> {
  return { MCP_GATEWAY_REPLICA_ID: id, MCP_GATEWAY_CLUSTER_KEY: key };
}
