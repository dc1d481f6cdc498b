/**
 * The nginx and HAProxy configs of deploy/, checked by the proxies themselves and run for real in front of two
 * gateway replicas sharing a Redis: new sessions spread over the replicas, every later request of a session reaches
 * the replica holding it (no forwarding needed), a call's server-sent events pass as they come, and while a replica
 * drains the proxies hand its 503s to another replica (new sessions open there; its own sessions get 404).
 */
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  checkProxyConfig,
  startProxy,
  type ProxyKind,
  type RunningProxy,
} from '../../helpers/deploy/proxy-process.js';
import { systemToolSkipReason } from '../../helpers/deploy/system-tool.js';
import {
  callTool,
  startHttpGateway,
  writeEchoConfig,
  type HttpGateway,
} from '../../helpers/gateway-process.js';
import {
  newClusterKey,
  redisSkipReason,
  replicaEnv,
  startTestRedis,
  type TestRedis,
} from '../../helpers/redis-server.js';
import { makeTempDir, removeTempDir } from '../../helpers/temp-dir.js';
import { textOf } from '../../helpers/text-of.js';
import { waitFor } from '../../helpers/wait-for.js';

const PROXIES: readonly { kind: ProxyKind; skip: string | undefined }[] = [
  { kind: 'nginx', skip: systemToolSkipReason('nginx', 'nginx') },
  { kind: 'haproxy', skip: systemToolSkipReason('haproxy', 'haproxy') },
];

/** A client session opened through `url`. */
async function connect(url: URL) {
  const client = new Client({ name: 'load-balancer-test', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(url);
  await client.connect(transport);
  return { client, transport, owner: transport.sessionId?.split('.')[0] };
}

describe.skipIf(redisSkipReason() !== undefined)('load balancers in front of gateway replicas', () => {
  let redis: TestRedis;
  let dir: string;
  let config: string;
  let key: string;
  const replicas: HttpGateway[] = [];
  /** The shipped configs name three replicas: the third entry is r2's address again, under an id nobody has. */
  let proxied: { id: string; address: string }[];

  beforeAll(async () => {
    redis = await startTestRedis();
    dir = await makeTempDir('gateway-load-balancers-');
    config = await writeEchoConfig(dir, `load-balancers-${process.pid}`);
    key = newClusterKey();
    replicas.push(
      ...(await Promise.all(
        ['r1', 'r2'].map((id) =>
          startHttpGateway(['--auto-register', config, '--redis', redis.url], { env: replicaEnv(id, key) }),
        ),
      )),
    );
    const [r1, r2] = replicas.map((replica) => replica.url.host);
    proxied = [
      { id: 'r1', address: r1 ?? '' },
      { id: 'r2', address: r2 ?? '' },
      { id: 'r3', address: r2 ?? '' },
    ];
  });

  afterAll(async () => {
    await Promise.all(replicas.map((replica) => replica.stop()));
    await redis?.stop();
    await removeTempDir(dir);
  });

  describe.each(PROXIES)('$kind', ({ kind, skip }) => {
    let proxy: RunningProxy;
    const clients: Client[] = [];

    beforeAll(async () => {
      if (skip !== undefined) return;
      proxy = await startProxy(kind, dir, proxied);
    });

    afterAll(async () => {
      await Promise.allSettled(clients.map((client) => client.close()));
      await proxy?.stop();
    });

    it.skipIf(skip !== undefined)('accepts its config (checked by the proxy itself)', async () => {
      const { status, output } = await checkProxyConfig(kind, dir, proxied);
      expect(status, output).toBe(0);
    });

    it.skipIf(skip !== undefined)(
      'spreads new sessions over the replicas and sends each session to the replica holding it',
      async () => {
        const sessions = [];
        for (let index = 0; index < 4; index += 1) sessions.push(await connect(proxy.url));
        clients.push(...sessions.map(({ client }) => client));

        expect(new Set(sessions.map(({ owner }) => owner))).toEqual(new Set(['r1', 'r2']));
        // Without affinity half of these would reach a replica that does not hold the session: 404.
        for (const [index, { client }] of sessions.entries()) {
          for (let call = 0; call < 3; call += 1) {
            const text = `session ${index} call ${call}`;
            expect(textOf(await callTool(client, 'echo__echo', { text }))).toBe(text);
          }
        }
      },
    );

    it.skipIf(skip !== undefined)('passes a call’s server-sent events on as they come', async () => {
      const { client } = await connect(proxy.url);
      clients.push(client);
      const progress: number[] = [];
      const abort = new AbortController();
      // The backend reports once, then waits a minute: a buffering proxy would hold the event back all along.
      const call = client
        .callTool(
          { name: 'echo__progress', arguments: { steps: 1, delayMs: 60_000 } },
          {
            onprogress: ({ progress: value }) => progress.push(value),
            signal: abort.signal,
            timeout: 120_000,
          },
        )
        .then(
          () => 'completed',
          () => 'aborted',
        );

      await waitFor(() => progress.length > 0, { timeoutMs: 10_000, description: 'the progress event' });
      abort.abort();
      expect(progress).toEqual([1]);
      expect(await call).toBe('aborted');
    });
  });
  describe('while a replica drains', () => {
    const running = PROXIES.filter(({ skip }) => skip === undefined);
    const proxies: RunningProxy[] = [];
    const clients: Client[] = [];
    let draining: HttpGateway | undefined;

    afterAll(async () => {
      await Promise.allSettled(clients.map((client) => client.close()));
      await Promise.all(proxies.map((proxy) => proxy.stop()));
      await draining?.stop();
    });

    it.skipIf(running.length === 0)(
      'hands its 503s to another replica: new sessions open there, its own sessions get 404',
      async () => {
        draining = await startHttpGateway(['--auto-register', config, '--redis', redis.url], {
          env: replicaEnv('r3', key),
        });
        const [r1, r2, r3] = [...replicas, draining].map((replica) => replica.url.host);
        const three = [
          { id: 'r1', address: r1 ?? '' },
          { id: 'r2', address: r2 ?? '' },
          { id: 'r3', address: r3 ?? '' },
        ];
        proxies.push(...(await Promise.all(running.map(({ kind }) => startProxy(kind, dir, three)))));
        // Through each proxy a session on r3 with a call in progress there, which keeps r3 draining.
        const held = [];
        for (const proxy of proxies) {
          const session = await waitFor(
            async () => {
              const opened = await connect(proxy.url);
              clients.push(opened.client);
              return opened.owner === 'r3' ? opened : undefined;
            },
            { timeoutMs: 10_000, description: 'a session on r3' },
          );
          let progressed = (): void => undefined;
          const started = new Promise<void>((resolve) => (progressed = resolve));
          const abort = new AbortController();
          const call = session.client
            .callTool(
              { name: 'echo__progress', arguments: { steps: 1, delayMs: 60_000 } },
              { onprogress: () => progressed(), signal: abort.signal, timeout: 120_000 },
            )
            .catch(() => 'ended');
          await started;
          held.push({ sessionId: session.transport.sessionId ?? '', abort, call });
        }
        const exited = new Promise<number | null>((resolve) => draining?.child.once('exit', resolve));

        draining.child.kill('SIGTERM');
        // On SIGTERM the replica closes its idle kept-alive connections: a probe may meet one closing.
        const probe = new URL('/readyz', draining.url);
        await waitFor(
          () =>
            fetch(probe).then(
              ({ status }) => status === 503,
              () => false,
            ),
          {
            timeoutMs: 10_000,
            description: "r3's /readyz to say 503",
          },
        );

        for (const [index, proxy] of proxies.entries()) {
          const kind = running[index]?.kind;
          // Round robin sends about one in three to r3: each of those is answered 503 and retried elsewhere.
          for (let session = 0; session < 6; session += 1) {
            const fresh = await connect(proxy.url);
            clients.push(fresh.client);
            expect(['r1', 'r2'], kind).toContain(fresh.owner);
            expect(textOf(await callTool(fresh.client, 'echo__echo', { text: 'elsewhere' }))).toBe(
              'elsewhere',
            );
          }
          const ownSession = await fetch(proxy.url, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              accept: 'application/json, text/event-stream',
              'mcp-session-id': held[index]?.sessionId ?? '',
              'mcp-protocol-version': '2025-06-18',
            },
            body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }),
          });
          expect(ownSession.status, kind).toBe(404);
        }
        for (const { abort, call } of held) {
          abort.abort();
          await call;
        }
        // Its calls ended, r3 finishes draining and exits by itself.
        expect(await exited).toBe(0);
      },
    );
  });

  // Last: it stops r2.
  describe('when the replica holding a session stops', () => {
    const running = PROXIES.filter(({ skip }) => skip === undefined);
    const proxies: RunningProxy[] = [];
    const clients: Client[] = [];

    afterAll(async () => {
      await Promise.allSettled(clients.map((client) => client.close()));
      await Promise.all(proxies.map((proxy) => proxy.stop()));
    });

    it.skipIf(running.length === 0)(
      'answers its next request 404 from another replica, and a new session opens there',
      async () => {
        proxies.push(...(await Promise.all(running.map(({ kind }) => startProxy(kind, dir, proxied)))));
        const held: string[] = [];
        for (const proxy of proxies) {
          // New sessions alternate between the replicas: at most a few tries give one on r2.
          const session = await waitFor(
            async () => {
              const opened = await connect(proxy.url);
              clients.push(opened.client);
              return opened.owner === 'r2' ? opened : undefined;
            },
            { timeoutMs: 10_000, description: 'a session on r2' },
          );
          held.push(session.transport.sessionId ?? '');
        }

        await replicas[1]?.stop();

        for (const [index, proxy] of proxies.entries()) {
          const response = await fetch(proxy.url, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              accept: 'application/json, text/event-stream',
              'mcp-session-id': held[index] ?? '',
              'mcp-protocol-version': '2025-06-18',
            },
            body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }),
          });
          expect(response.status, running[index]?.kind).toBe(404);
          const fresh = await connect(proxy.url);
          clients.push(fresh.client);
          expect(fresh.owner).toBe('r1');
          expect(textOf(await callTool(fresh.client, 'echo__echo', { text: 'again' }))).toBe('again');
        }
      },
    );
  });
});
