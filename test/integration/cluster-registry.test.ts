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
import { textOf } from '../helpers/text-of.js';
import { waitFor } from '../helpers/wait-for.js';

const ECHO = fixturePath('echo.mjs');
const skip = redisSkipReason();

/** Exposed tool names, sorted. */
async function toolNames(client: Client): Promise<string[]> {
  return (await client.listTools()).tools.map((tool) => tool.name).sort();
}

function register(client: Client, name: string, env: Record<string, string> = {}) {
  return callTool(client, 'register_server', { name, command: process.execPath, args: [ECHO], env });
}

describe.skipIf(skip !== undefined)('gateway replicas sharing one Redis', () => {
  let redis: TestRedis;
  let key: string;
  const replicas: HttpGateway[] = [];
  const clients: Client[] = [];
  const listChanges = [0, 0, 0];

  const startReplica = (id: string): Promise<HttpGateway> =>
    startHttpGateway(['--allow-register', '--redis', redis.url], { env: replicaEnv(id, key) });

  /** Resolves once every client lists `name`, within the convergence bound. */
  const everywhere = (check: (names: string[]) => boolean, description: string, among = clients) =>
    waitFor(async () => (await Promise.all(among.map(toolNames))).every(check), {
      timeoutMs: 3000,
      description,
    });

  beforeAll(async () => {
    redis = await startTestRedis();
    key = newClusterKey();
    replicas.push(...(await Promise.all(['r1', 'r2', 'r3'].map(startReplica))));
    for (const [index, replica] of replicas.entries()) {
      const client = await replica.connect();
      client.setNotificationHandler('notifications/tools/list_changed', () => {
        listChanges[index] = (listChanges[index] ?? 0) + 1;
      });
      clients.push(client);
    }
  });

  afterAll(async () => {
    await Promise.all(replicas.map((replica) => replica.stop()));
    await redis?.stop();
  });

  it('applies a registration made on one replica on the others within 3 s, telling their sessions', async () => {
    const before = [...listChanges];
    const result = await register(clients[0]!, 'alpha');
    expect(result.isError, textOf(result)).toBeFalsy();
    await everywhere((names) => names.includes('alpha__echo'), 'alpha on every replica');
    await waitFor(() => listChanges[1]! > before[1]! && listChanges[2]! > before[2]!, {
      description: 'list_changed on replicas 2 and 3',
    });
  });

  it('exposes the same names on every replica for clashing tools registered at once on two replicas', async () => {
    // "x" offers y__echo, exposed as x__y__echo: the same name as "x__y"'s echo.
    const [first, second] = await Promise.all([
      register(clients[1]!, 'x', { FIXTURE_EXTRA_TOOLS: 'y__echo' }),
      register(clients[2]!, 'x__y'),
    ]);
    expect(first.isError, textOf(first)).toBeFalsy();
    expect(second.isError, textOf(second)).toBeFalsy();
    await everywhere(
      (names) => names.includes('x__echo') && names.includes('x__y__add'),
      'x and x__y everywhere',
    );
    const lists = await Promise.all(clients.map(toolNames));
    expect(lists[1]).toEqual(lists[0]);
    expect(lists[2]).toEqual(lists[0]);
    // x__y's own echo_meta (x__y__echo_meta) clashes with nothing.
    const clashing = lists[0]!.filter((name) => /^x__y__echo($|_(?!meta))/.test(name));
    expect(clashing).toHaveLength(2);
  });

  it('gives a replica started later the same registry and the same names', async () => {
    const late = await startReplica('r4');
    replicas.push(late);
    const client = await late.connect();
    const expected = await toolNames(clients[0]!);
    await waitFor(async () => JSON.stringify(await toolNames(client)) === JSON.stringify(expected), {
      description: 'the late replica to list what the others list',
    });
    const echoed = await callTool(client, 'alpha__echo', { text: 'from r4' });
    expect(textOf(echoed)).toBe('from r4');
  });

  it('applies a change whose wake-up was lost, through the revision check', async () => {
    const keys = deriveClusterKeys(parseClusterKey(key, 'test key'));
    const seq = await redis.client.incr(KEYS.seq);
    const entry = {
      name: 'quiet',
      seq,
      config: { command: process.execPath, args: [ECHO] },
      baseDir: path.dirname(ECHO),
      registeredBy: 'test',
      at: new Date().toISOString(),
    };
    // Written without PUBLISH: only the periodic revision check can find it.
    await redis.client
      .multi()
      .hset(KEYS.registry, 'quiet', sealEntry(keys.seal, entry))
      .incr(KEYS.rev)
      .exec();
    await everywhere((names) => names.includes('quiet__echo'), 'the unannounced entry on every replica');
  });

  it('removes on every replica what one replica removed', async () => {
    const result = await callTool(clients[2]!, 'remove_server', { name: 'alpha' });
    expect(result.isError, textOf(result)).toBeFalsy();
    await everywhere((names) => !names.includes('alpha__echo'), 'alpha gone everywhere');
    expect(await redis.client.hexists(KEYS.registry, 'alpha')).toBe(0);
  });

  it("shows each replica's state of every server in list_servers, and mints session ids carrying the replica", async () => {
    await waitFor(
      async () => {
        const result = await callTool(clients[0]!, 'list_servers');
        const cluster = (
          result.structuredContent as {
            cluster?: { servers: Record<string, Record<string, { state: string }>> };
          }
        ).cluster;
        const replicasOfX = cluster?.servers.x ?? {};
        return ['r1', 'r2', 'r3', 'r4'].every((id) => replicasOfX[id]?.state === 'ready') && textOf(result);
      },
      { description: 'x ready on every replica in list_servers' },
    );
    const text = textOf(await callTool(clients[0]!, 'list_servers'));
    expect(text).toMatch(/x: r1 ready \(\d+ tool\(s\)\); r2 ready/);
    const response = await fetch(replicas[1]!.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } },
      }),
    });
    expect(response.headers.get('mcp-session-id')).toMatch(/^r2\.[0-9a-f-]{36}$/);
    await response.body?.cancel();
  });
});
