/**
 * Three replicas behind a real nginx (round-robin, no affinity) and 30 SDK client sessions making calls: requests
 * reach the replica that owns their session wherever they land, a registration reaches every replica's sessions,
 * a replica killed with SIGKILL costs its own sessions a 404 (they re-initialise on the others) and nobody else a
 * call, a restarted replica rebuilds the same registry, and a drained one finishes its calls, each executed once.
 */
import { once } from 'node:events';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import type { CallToolResult } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { fixturePath } from '../helpers/fixture-path.js';
import {
  callTool,
  startHttpGateway,
  writeServersConfig,
  type HttpGateway,
} from '../helpers/gateway-process.js';
import { jsonHeaders, rawRequest } from '../helpers/http-gateway.js';
import { nginxSkipReason, startTestNginx, type TestNginx } from '../helpers/nginx.js';
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

const skip = redisSkipReason() ?? nginxSkipReason();
const SESSIONS = 30;
const CALL_TIMEOUT_MS = 5000;

/** A client session through the load balancer that starts a new session when its own is gone (404), as the spec says. */
class Session {
  client!: Client;
  /** How many times the session was found gone and opened again. */
  reopened = 0;
  listChanges = 0;
  readonly failures: string[] = [];

  constructor(private readonly url: URL) {}

  get id(): string {
    return (this.client.transport as StreamableHTTPClientTransport).sessionId ?? '';
  }

  /** The replica owning the session (its id's prefix). */
  get owner(): string {
    return this.id.split('.')[0] ?? '';
  }

  async open(): Promise<void> {
    const client = new Client({ name: 'cluster-session', version: '1.0.0' });
    client.setNotificationHandler('notifications/tools/list_changed', () => {
      this.listChanges += 1;
    });
    client.onerror = () => undefined;
    await client.connect(new StreamableHTTPClientTransport(this.url));
    this.client = client;
  }

  /** Calls the recorder's `work` as `name`; on 404 opens a new session and calls again (it never ran). */
  async work(name: string, ms: number): Promise<CallToolResult> {
    for (;;) {
      try {
        // A call in flight on a replica that dies never gets its answer: its timeout ends it. One whose answer was
        // passing through a replica that dies is resumed by the client (Last-Event-ID) from its owner.
        return await callTool(this.client, 'recorder__work', { name, ms }, { timeout: CALL_TIMEOUT_MS });
      } catch (error) {
        if ((error as { status?: number }).status !== 404) {
          this.failures.push(`${name}: ${(error as Error).message}`);
          throw error;
        }
        void this.client.close().catch(() => undefined);
        this.reopened += 1;
        await this.open();
      }
    }
  }
}

const ENVELOPE = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientInfo': { name: 'raw-test', version: '1.0.0' },
  'io.modelcontextprotocol/clientCapabilities': { elicitation: {} },
};

function modernHeaders(): Record<string, string> {
  return {
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    'mcp-protocol-version': '2026-07-28',
    'mcp-method': 'tools/call',
    'mcp-name': 'legacy__test_elicitation',
  };
}

function modernBody(id: number, args: Record<string, unknown>): string {
  const { inputResponses, requestState, ...rest } = args;
  return JSON.stringify({
    jsonrpc: '2.0',
    id,
    method: 'tools/call',
    params: {
      name: 'legacy__test_elicitation',
      arguments: rest,
      ...(inputResponses === undefined ? {} : { inputResponses, requestState }),
      _meta: ENVELOPE,
    },
  });
}

/** One 2026-07-28 `tools/call` of the elicitation tool posted to `url`: its JSON-RPC response. */
async function modernCall(
  url: URL,
  id: number,
  args: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const response = await fetch(url, { method: 'POST', headers: modernHeaders(), body: modernBody(id, args) });
  const text = await response.text();
  const messages = (response.headers.get('content-type') ?? '').includes('text/event-stream')
    ? text
        .split('\n')
        .filter((line) => line.startsWith('data:'))
        .map((line) => JSON.parse(line.slice('data:'.length)) as Record<string, unknown>)
    : [JSON.parse(text) as Record<string, unknown>];
  const answer = messages.find((message) => message.id === id);
  if (!answer) throw new Error(`no response to request ${id} (HTTP ${response.status}): ${text}`);
  return answer;
}

describe.skipIf(skip !== undefined)('three replicas behind nginx', () => {
  let redis: TestRedis;
  let nginx: TestNginx;
  let dir: string;
  let events: string;
  let key: string;
  let config: string;
  const replicas = new Map<string, HttpGateway>();
  const sessions: Session[] = [];

  const startReplica = (id: string, port = 0): Promise<HttpGateway> =>
    startHttpGateway(
      ['--allow-register', '--redis', redis.url, '--auto-register', config, '--port', String(port)],
      { env: replicaEnv(id, key) },
    );
  const replica = (id: string): HttpGateway => {
    const found = replicas.get(id);
    if (!found) throw new Error(`no replica ${id}`);
    return found;
  };
  /** How many times each name was started by the recorder, in every replica's copy. */
  const starts = async (): Promise<Map<string, number>> => {
    const counts = new Map<string, number>();
    for (const line of (await readFile(events, 'utf8')).split('\n')) {
      if (line.startsWith('start ')) counts.set(line.slice(6), (counts.get(line.slice(6)) ?? 0) + 1);
    }
    return counts;
  };
  /** A raw request of session `id` through `url`: its status and how long it took. */
  const ping = async (url: URL, id: string, extra: Record<string, string> = {}) => {
    const started = performance.now();
    const { status } = await rawRequest(url, {
      headers: jsonHeaders({ 'mcp-session-id': id, 'mcp-protocol-version': '2025-11-25', ...extra }),
      body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'ping' }),
    });
    return { status, ms: performance.now() - started };
  };

  beforeAll(async () => {
    redis = await startTestRedis();
    key = newClusterKey();
    dir = await makeTempDir('gateway-cluster-sessions-');
    events = path.join(dir, 'events.log');
    await writeFile(events, '');
    config = await writeServersConfig(dir, {
      recorder: {
        command: process.execPath,
        args: [fixturePath('recorder.mjs')],
        env: { FIXTURE_EVENTS_FILE: events },
      },
      legacy: { command: process.execPath, args: [fixturePath('conformance.mjs')] },
      echo: {
        command: process.execPath,
        args: [fixturePath('echo.mjs')],
        env: { FIXTURE_CANCEL_FILE: path.join(dir, 'cancelled.log') },
      },
    });
    const started = await Promise.all(['r1', 'r2', 'r3'].map((id) => startReplica(id)));
    for (const [index, gateway] of started.entries()) replicas.set(`r${index + 1}`, gateway);
    nginx = await startTestNginx(started.map((gateway) => gateway.url.host));
    // Every replica knows the others before the first client comes (heartbeats are read every 2 s).
    await waitFor(
      async () => {
        const client = await replica('r1').connect();
        const result = await callTool(client, 'list_servers');
        const seen = (result.structuredContent as { cluster?: { replicas: string[] } }).cluster?.replicas;
        return seen?.length === 3;
      },
      { description: 'the three replicas to see each other', timeoutMs: 10_000, intervalMs: 200 },
    );
    for (let index = 0; index < SESSIONS; index += 1) {
      const session = new Session(nginx.url);
      await session.open();
      sessions.push(session);
      // Opening a session takes a fixed number of requests: one more through nginx moves the next initialize on
      // to the next replica of the round-robin, so that the sessions are spread over the three.
      await fetch(new URL('/healthz', nginx.url));
    }
  }, 90_000);

  afterAll(async () => {
    await Promise.allSettled(sessions.map((session) => session.client.close()));
    await Promise.allSettled([...replicas.values()].map((gateway) => gateway.stop()));
    await nginx?.stop();
    await redis?.stop();
    if (dir) await removeTempDir(dir);
  });

  it('serves 30 sessions spread over the replicas, whichever replica each request lands on', async () => {
    expect(new Set(sessions.map((session) => session.owner))).toEqual(new Set(['r1', 'r2', 'r3']));
    await Promise.all(
      sessions.map(async (session, index) => {
        for (let round = 0; round < 3; round += 1) {
          const result = await session.work(`spread-${index}-${round}`, 0);
          expect(textOf(result)).toBe(`spread-${index}-${round} done`);
        }
      }),
    );
    expect(sessions.every((session) => session.reopened === 0)).toBe(true);
    const counts = await starts();
    for (let index = 0; index < SESSIONS; index += 1) expect(counts.get(`spread-${index}-0`)).toBe(1);
  });

  it('passes server-to-client requests, progress and cancellation between the client and the owner', async () => {
    const client = new Client({ name: 'asked', version: '1.0.0' }, { capabilities: { elicitation: {} } });
    client.setRequestHandler('elicitation/create', () => ({
      action: 'accept',
      content: { username: 'ada', email: 'ada@example.com', confirm: true },
    }));
    await client.connect(new StreamableHTTPClientTransport(nginx.url));
    try {
      for (let round = 0; round < 3; round += 1) {
        const elicited = await callTool(client, 'legacy__test_elicitation', { message: `Who? ${round}` });
        expect(textOf(elicited)).toContain('"username":"ada"');
      }
      const progress: number[] = [];
      const progressed = await callTool(
        client,
        'echo__progress',
        { steps: 3, delayMs: 10 },
        { onprogress: ({ progress: step }) => progress.push(step) },
      );
      expect(textOf(progressed)).toBe('progressed 3');
      expect(progress).toEqual([1, 2, 3]);
      const cancel = new AbortController();
      const slow = callTool(client, 'echo__slow', { ms: 20_000 }, { signal: cancel.signal }).catch(
        (error: Error) => error.message,
      );
      const owner = replica(
        (client.transport as StreamableHTTPClientTransport).sessionId?.split('.')[0] ?? '',
      );
      await waitFor(() => owner.stderr().includes('slow started 20000'), {
        description: 'the slow call to start',
      });
      cancel.abort('enough');
      await slow;
      await waitFor(
        async () =>
          (await readFile(path.join(dir, 'cancelled.log'), 'utf8').catch(() => '')).includes(
            'cancelled 20000',
          ),
        {
          description: 'the cancellation to reach the backend on the owner',
          timeoutMs: 2000,
        },
      );
    } finally {
      await client.close();
    }
  });

  it('passes a 2026-07-28 retry to the replica where its call waits, whichever replica it reaches', async () => {
    const first = await modernCall(replica('r1').url, 1, { message: 'Name?' });
    const round = first.result as { inputRequests: Record<string, unknown>; requestState: string };
    expect(round.requestState.startsWith('gw.r1:')).toBe(true);
    const [question] = Object.keys(round.inputRequests);
    const inputResponses = {
      [question ?? '']: { action: 'accept', content: { username: 'grace', email: 'g@example.com' } },
    };
    const resumed = await modernCall(replica('r3').url, 2, {
      message: 'Name?',
      inputResponses,
      requestState: round.requestState,
    });
    expect(JSON.stringify(resumed.result)).toContain('grace');
    // The state names r1: a hop header claiming otherwise is refused, and nothing is resumed.
    const forged = await fetch(replica('r3').url, {
      method: 'POST',
      headers: { ...modernHeaders(), 'mcp-gateway-forwarded': 'r2;AAAA' },
      body: modernBody(3, { message: 'Name?', inputResponses, requestState: round.requestState }),
    });
    expect(forged.status).toBe(403);
  });

  it('refuses a forged forwarding header, and answers 404 for a session of a replica that is not there', async () => {
    const owned = sessions.find((session) => session.owner === 'r1')!;
    const forged = await ping(replica('r2').url, owned.id, { 'mcp-gateway-forwarded': 'r3;AAAA' });
    expect(forged.status).toBe(403);
    const forwarded = await ping(replica('r2').url, owned.id);
    expect(forwarded.status).toBe(200);
    const unknown = await ping(replica('r2').url, 'r9.00000000-0000-4000-8000-000000000000');
    expect(unknown.status).toBe(404);
  });

  it('shows a registration on replica 1 in tools/list on replicas 2 and 3 within 3 s, with list_changed', async () => {
    const before = sessions.map((session) => session.listChanges);
    const direct = await replica('r1').connect();
    const registered = await callTool(direct, 'register_server', {
      name: 'alpha',
      command: process.execPath,
      args: [fixturePath('echo.mjs')],
    });
    expect(registered.isError, textOf(registered)).toBeFalsy();
    const listers = await Promise.all(['r2', 'r3'].map((id) => replica(id).connect()));
    await waitFor(
      async () =>
        (await Promise.all(listers.map((client) => client.listTools()))).every((list) =>
          list.tools.some((tool) => tool.name === 'alpha__echo'),
        ),
      { description: 'alpha__echo on replicas 2 and 3', timeoutMs: 3000 },
    );
    // Their sessions hear it on their GET streams, forwarded from whichever replica nginx picked.
    const elsewhere = sessions.filter((session) => session.owner !== 'r1');
    await waitFor(
      () => elsewhere.every((session) => session.listChanges > before[sessions.indexOf(session)]!),
      {
        description: 'list_changed on the sessions of replicas 2 and 3',
        timeoutMs: 3000,
      },
    );
  });

  it('costs a replica killed with SIGKILL its own sessions only: 404 within 1 s, then a new session elsewhere', async () => {
    const victims = sessions.filter((session) => session.owner === 'r2');
    const survivors = sessions.filter((session) => session.owner !== 'r2');
    const victimIds = victims.map((session) => session.id);
    let done = 0;
    const running = sessions.map(async (session, index) => {
      for (let round = 0; round < 6; round += 1) {
        await session.work(`kill-${index}-${round}`, 50).catch(() => undefined);
        done += 1;
      }
    });
    await waitFor(() => done >= SESSIONS, {
      description: 'a round of calls before the kill',
      timeoutMs: 10_000,
    });
    const r2 = replica('r2');
    const killed = once(r2.child, 'exit');
    r2.child.kill('SIGKILL');
    await killed;
    // Right after the kill, and again one by one once the clients are done moving (the latency of a lone answer).
    const answers = await Promise.all(victimIds.map((id) => ping(nginx.url, id)));
    expect(answers.map(({ status }) => status)).toEqual(victimIds.map(() => 404));
    await Promise.all(running);
    for (const id of victimIds) {
      const answer = await ping(nginx.url, id);
      expect(answer.status).toBe(404);
      expect(answer.ms).toBeLessThan(1000);
    }
    // A survivor's session is never lost, nor any of its calls: one whose answer was on its way back through
    // replica 2 when it died is resumed from its owner by the client (Last-Event-ID, through another replica).
    expect(survivors.every((session) => session.reopened === 0)).toBe(true);
    expect(survivors.flatMap((session) => session.failures)).toEqual([]);
    expect(victims.every((session) => session.reopened >= 1 && session.owner !== 'r2')).toBe(true);
  });

  it('gives replica 2 restarted the same registry and the same tool names', async () => {
    const port = Number(replica('r2').url.port);
    replicas.set('r2', await startReplica('r2', port));
    const [first, again] = await Promise.all([replica('r1').connect(), replica('r2').connect()]);
    const names = async (client: Client) => (await client.listTools()).tools.map((tool) => tool.name).sort();
    const expected = await names(first);
    expect(expected).toContain('alpha__echo');
    await waitFor(async () => JSON.stringify(await names(again)) === JSON.stringify(expected), {
      description: 'replica 2 to list what replica 1 lists',
    });
  });

  it('drains a replica on SIGTERM: its calls finish, its sessions move, every call runs exactly once', async () => {
    const r3 = replica('r3');
    for (const session of sessions) session.failures.splice(0);
    const holder = sessions.find((session) => session.owner === 'r3')!;
    const long = holder.work('drain-long', 4000);
    await waitFor(async () => (await starts()).has('drain-long'), { description: 'the long call to start' });
    let done = 0;
    const running = sessions.map(async (session, index) => {
      if (session === holder) return;
      for (let round = 0; round < 4; round += 1) {
        const name = `drain-${index}-${round}`;
        expect(textOf(await session.work(name, 200))).toBe(`${name} done`);
        done += 1;
      }
    });
    await waitFor(() => done >= 5, {
      description: 'calls under way before the drain',
      timeoutMs: 10_000,
    });
    const exited = once(r3.child, 'exit');
    r3.child.kill('SIGTERM');
    await waitFor(
      async () => (await fetch(new URL('/readyz', r3.url)).catch(() => undefined))?.status === 503,
      {
        description: '/readyz to say 503 while draining',
      },
    );
    expect(textOf(await long)).toBe('drain-long done');
    await Promise.all(running);
    const [code] = (await exited) as [number | null];
    expect(code).toBe(0);
    expect(sessions.flatMap((session) => session.failures)).toEqual([]);
    const counts = await starts();
    const names = [...counts.keys()].filter((name) => name.startsWith('drain-'));
    expect(names).toHaveLength((SESSIONS - 1) * 4 + 1);
    expect(names.filter((name) => counts.get(name) !== 1)).toEqual([]);
    expect(sessions.filter((session) => session !== holder && session.owner === 'r3')).toEqual([]);
  });
});
