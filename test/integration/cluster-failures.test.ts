import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';

import type { Client } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { deriveClusterKeys, parseClusterKey } from '../../src/cluster/cluster-key.js';
import { KEYS } from '../../src/cluster/cluster-store.js';
import { sealEntry } from '../../src/cluster/registry-entry.js';
import { fixturePath } from '../helpers/fixture-path.js';
import { callTool, startHttpGateway, type HttpGateway } from '../helpers/gateway-process.js';
import {
  newClusterKey,
  redisSkipReason,
  replicaEnv,
  startTestRedis,
  type TestRedis,
} from '../helpers/redis-server.js';
import { makeTempDir, removeTempDir } from '../helpers/temp-dir.js';
import { textOf } from '../helpers/text-of.js';
import { waitFor } from '../helpers/wait-for.js';

const ECHO = fixturePath('echo.mjs');
const skip = redisSkipReason();

async function toolNames(client: Client): Promise<string[]> {
  return (await client.listTools()).tools.map((tool) => tool.name);
}

/** How many times the fixture started with this start log. */
function starts(file: string): number {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).length : 0;
}

describe.skipIf(skip !== undefined)('a cluster when Redis or its entries fail', () => {
  let redis: TestRedis;
  let key: string;
  let dir: string;
  let r1: HttpGateway;
  let r2: HttpGateway;
  let c1: Client;
  let c2: Client;

  beforeAll(async () => {
    redis = await startTestRedis();
    key = newClusterKey();
    dir = await makeTempDir('gateway-cluster-');
    // r2 may start only /bin/true: what r1 registers (this Node) is refused there.
    const strict = path.join(dir, 'strict.json');
    await writeFile(strict, JSON.stringify({ servers: {}, registration: { allowCommands: ['/bin/true'] } }));
    const args = ['--allow-register', '--redis', redis.url];
    [r1, r2] = await Promise.all([
      startHttpGateway(args, { env: replicaEnv('r1', key) }),
      startHttpGateway([...args, '--auto-register', strict], { env: replicaEnv('r2', key) }),
    ]);
    [c1, c2] = await Promise.all([r1.connect(), r2.connect()]);
    const kept = await callTool(c1, 'register_server', {
      name: 'kept',
      command: process.execPath,
      args: [ECHO],
      env: { FIXTURE_START_LOG: path.join(dir, 'kept.log') },
    });
    expect(kept.isError, textOf(kept)).toBeFalsy();
  });

  afterAll(async () => {
    await Promise.all([r1?.stop(), r2?.stop()]);
    await redis?.stop();
    await removeTempDir(dir);
  });

  it('refuses, on a replica whose allowCommands does not list it, an entry another replica runs', async () => {
    await waitFor(() => /cluster registration refused.*"backend":"kept"/.test(r2.stderr()), {
      description: "r2's refusal of kept",
    });
    expect(r2.stderr()).toContain('registration.allowCommands');
    expect(await toolNames(c2)).not.toContain('kept__echo');
    expect(await toolNames(c1)).toContain('kept__echo');
    expect(starts(path.join(dir, 'kept.log'))).toBe(1);
    await waitFor(
      async () =>
        /kept: r1 ready \(\d+ tool\(s\)\); r2 refused \(this replica's registration policy/.test(
          textOf(await callTool(c1, 'list_servers')),
        ),
      { description: "list_servers on r1 to show r2's refusal" },
    ).catch(async (error: unknown) => {
      throw new Error(`${(error as Error).message}\n${textOf(await callTool(c1, 'list_servers'))}`);
    });
  });

  it('never runs an entry whose sealed value was changed, on any replica', async () => {
    const marker = path.join(dir, 'tampered.log');
    const keys = deriveClusterKeys(parseClusterKey(key, 'test key'));
    const sealed = sealEntry(keys.seal, {
      name: 'tampered',
      seq: await redis.client.incr(KEYS.seq),
      config: { command: process.execPath, args: [ECHO], env: { FIXTURE_START_LOG: marker } },
      baseDir: dir,
      registeredBy: 'test',
      at: new Date().toISOString(),
    });
    // One byte of the ciphertext flipped: it no longer authenticates.
    const bytes = Buffer.from(sealed.slice(3), 'base64');
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 1;
    const changed = `v1.${bytes.toString('base64')}`;
    await redis.client.multi().hset(KEYS.registry, 'tampered', changed).incr(KEYS.rev).exec();
    await redis.client.publish(KEYS.changed, 'tampered');
    const refused = /cluster registration refused.*"backend":"tampered".*does not open/;
    await waitFor(() => refused.test(r1.stderr()) && refused.test(r2.stderr()), {
      description: 'both replicas to refuse the tampered entry',
    });
    expect(existsSync(marker)).toBe(false);
    expect(await toolNames(c1)).not.toContain('tampered__echo');
    await redis.client.hdel(KEYS.registry, 'tampered');
  });

  it('keeps serving calls while Redis is frozen, fails register_server clearly, and never applies it later', async () => {
    redis.pause();
    try {
      const echoed = await callTool(c1, 'kept__echo', { text: 'while Redis sleeps' });
      expect(textOf(echoed)).toBe('while Redis sleeps');
      const started = Date.now();
      const failed = await callTool(c1, 'register_server', {
        name: 'late',
        command: process.execPath,
        args: [ECHO],
      });
      expect(failed.isError).toBe(true);
      expect(textOf(failed)).toMatch(
        /the cluster store \(unix:\/\/.*\) is unreachable: .*Nothing was changed/,
      );
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(await toolNames(c1)).not.toContain('late__echo');
    } finally {
      redis.resume();
    }
    // A registration after the resume is acknowledged, so Redis has handled everything sent while it was frozen.
    const after = await callTool(c1, 'register_server', {
      name: 'after',
      command: process.execPath,
      args: [ECHO],
    });
    expect(after.isError, textOf(after)).toBeFalsy();
    expect(await redis.client.hexists(KEYS.registry, 'late')).toBe(0);
    expect(await redis.client.hexists(KEYS.registry, 'after')).toBe(1);
    const listed = textOf(await callTool(c1, 'list_servers'));
    expect(listed).not.toMatch(/^late \[/m);
  });

  it('keeps every backend when the store loses its data, and puts the entries back', async () => {
    await redis.client.flushall();
    await waitFor(async () => (await redis.client.hexists(KEYS.registry, 'kept')) === 1, {
      description: 'the entries to be put back',
      timeoutMs: 3000,
    });
    expect(r1.stderr()).toContain('the cluster store lost its registry');
    expect(await toolNames(c1)).toEqual(expect.arrayContaining(['kept__echo', 'after__echo']));
    expect(textOf(await callTool(c1, 'kept__echo', { text: 'still here' }))).toBe('still here');
    // Not stopped and started again: one start in all.
    expect(starts(path.join(dir, 'kept.log'))).toBe(1);
  });
});
