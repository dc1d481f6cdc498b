/**
 * What a request costs when it lands on a replica that does not own its session: two replicas sharing one Redis,
 * one session owned by replica 1, and sequential echo calls of that session sent to replica 1 itself and sent to
 * replica 2 (which passes each request to replica 1 and streams the answer back), in interleaved blocks of the
 * same run. The ratio of the medians is the price of the extra hop. One 2-core machine cannot show throughput
 * scaling with replicas (they share the cores): that needs several machines.
 */
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

import { callOk, startHttpGateway, waitForTools, writeEchoConfig } from '../lib/clients.mjs';
import { formatMs, formatRatio } from '../lib/format.mjs';
import { summarize } from '../lib/percentiles.mjs';
import { checkTarget, targetMark } from '../lib/targets.mjs';
import { timeSequential } from '../lib/timing.mjs';

const ARGS = { text: 'one hop' };
// Short blocks, so that both paths see the machine in the same state: with 4 blocks of 500 calls the ratio of one
// build ranged from 1.15x to 2.02x over runs here; with 40 blocks of 50, from 1.47x to 1.64x over eleven runs.
const BLOCKS = 40;
const NO_SCALING =
  'One 2-core machine cannot show throughput scaling: the replicas share its cores. This section measures the ' +
  'price of the hop to the owner, not the gain of more replicas.';

/**
 * A private redis-server on a Unix socket in `dir`, stopped with the scope.
 * @param {import('../lib/scope.mjs').Scope} scope
 * @param {string} dir
 */
async function startRedis(scope, dir) {
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
  scope.add('redis-server', async () => {
    if (child.exitCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
  });
  for (
    let tries = 0;
    spawnSync('redis-cli', ['-s', socket, 'ping']).stdout?.toString().trim() !== 'PONG';
    tries++
  ) {
    if (tries > 200) throw new Error('redis-server did not answer PING within 10 s');
    await delay(50);
  }
  return `unix://${socket}`;
}

/**
 * A client whose session is opened on `owner` and whose later requests all go to `via`.
 * @param {import('../lib/scope.mjs').Scope} scope
 * @param {URL} owner
 * @param {URL} via
 */
async function connectThrough(scope, owner, via) {
  const client = new Client({ name: 'mcp-gateway-bench', version: '1.0.0' });
  scope.add(`client through ${via.host}`, () => client.close());
  let opened = false;
  const transport = new StreamableHTTPClientTransport(via, {
    // The initialize goes to the owner, which mints the session; every other request to `via`.
    fetch: (url, init) => {
      const target = opened ? url : owner;
      if (typeof init?.body === 'string' && init.body.includes('"initialize"')) opened = true;
      return fetch(target, init);
    },
  });
  await client.connect(transport);
  return client;
}

/** @type {import('../run.mjs').Section} */
export default {
  name: 'cluster',
  title:
    'Several replicas: a call sent to the replica that owns its session, and to another one (one extra hop)',
  async run(context) {
    if (spawnSync('redis-server', ['--version']).status !== 0) {
      return {
        tables: [],
        figures: { skipped: 'redis-server is not installed' },
        notes: ['skipped: redis-server is not installed', NO_SCALING],
      };
    }
    const calls = context.quick ? 300 : 2000;
    const warmup = context.quick ? 50 : 200;
    const redis = await startRedis(context.scope, context.tmpDir);
    const key = randomBytes(32).toString('hex');
    const config = await writeEchoConfig(context.tmpDir, ['echo']);
    const replica = (id) =>
      startHttpGateway(context.scope, config, ['--redis', redis], {
        MCP_GATEWAY_REPLICA_ID: id,
        MCP_GATEWAY_CLUSTER_KEY: key,
      });
    const [r1, r2] = await Promise.all([replica('r1'), replica('r2')]);
    // Ready once each joined the cluster (its heartbeat is written): before, its peers do not know where it is.
    for (const { url } of [r1, r2]) {
      for (let tries = 0; (await fetch(new URL('/readyz', url))).status !== 200; tries++) {
        if (tries > 600) throw new Error(`${url.host} was not ready within 30 s`);
        await delay(50);
      }
    }
    const owner = await r1.connect();
    const hop = await connectThrough(context.scope, r1.url, r2.url);
    await waitForTools(owner, ['echo__echo']);
    // Replica 2 learns where replica 1 is from its heartbeat (read every 2 s), or from Redis on the first request.
    await waitForTools(hop, ['echo__echo']);
    const paths = [
      { key: 'owner', label: 'to the owner (replica 1)', client: owner },
      { key: 'hop', label: 'to replica 2, passed to the owner', client: hop },
    ];
    for (const { client } of paths) await timeSequential(warmup, () => callOk(client, 'echo__echo', ARGS));
    const samples = { owner: [], hop: [] };
    const blockSize = Math.ceil(calls / BLOCKS);
    for (let block = 0; block < BLOCKS; block++) {
      for (const { key: which, client } of block % 2 === 0 ? paths : [...paths].reverse()) {
        samples[which].push(...(await timeSequential(blockSize, () => callOk(client, 'echo__echo', ARGS))));
      }
      if ((block + 1) % 10 === 0) context.log(`cluster: block ${block + 1}/${BLOCKS} done`);
    }
    const figures = { calls, owner: summarize(samples.owner), hop: summarize(samples.hop) };
    figures.p50Ratio = figures.hop.p50 / figures.owner.p50;
    const target = checkTarget(
      'p50 through a non-owner replica / to the owner',
      figures.p50Ratio,
      '<=',
      1.3,
      formatRatio,
    );
    return {
      tables: [
        {
          headers: ['echo__echo, one session owned by replica 1', 'p50 ms', 'p95 ms', 'p99 ms', 'p50 ratio'],
          rows: [
            [
              'to the owner (replica 1)',
              formatMs(figures.owner.p50),
              formatMs(figures.owner.p95),
              formatMs(figures.owner.p99),
              '1.00',
            ],
            [
              'to replica 2, passed to the owner',
              formatMs(figures.hop.p50),
              formatMs(figures.hop.p95),
              formatMs(figures.hop.p99),
              `${formatRatio(figures.p50Ratio)} ${targetMark(target)}`,
            ],
          ],
        },
      ],
      figures,
      targets: [target],
      notes: [NO_SCALING],
    };
  },
};
