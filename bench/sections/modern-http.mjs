/**
 * The 2026-07-28 path over HTTP: sequential echo calls of a modern client (SDK v2, pinned to 2026-07-28), to the v2
 * SDK's own stateless server (`createMcpHandler`, no gateway) and through the gateway's modern leg to an echo
 * backend. Each request of that era is self-contained (no session), so the gateway builds a server per request,
 * as the SDK's own entry does.
 */
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';

import { startHttpGateway, startModernEchoServer, writeEchoConfig } from '../lib/clients.mjs';
import { formatMs, formatRatio, formatUs } from '../lib/format.mjs';
import { summarize } from '../lib/percentiles.mjs';
import { cpuTime } from '../lib/proc-stats.mjs';
import { checkTarget, targetMark } from '../lib/targets.mjs';
import { timeSequential } from '../lib/timing.mjs';

const TEXT = 'hello in 2026';
const BLOCKS = 4;

/**
 * A v2 client that speaks only 2026-07-28 to `url`.
 * @param {import('../lib/scope.mjs').Scope} scope
 * @param {URL} url
 */
async function connectModern(scope, url) {
  const client = new Client(
    { name: 'mcp-gateway-bench', version: '1.0.0' },
    { versionNegotiation: { mode: { pin: '2026-07-28' } } },
  );
  scope.add(`modern client of ${url.href}`, () => client.close());
  await client.connect(new StreamableHTTPClientTransport(url));
  if (client.getProtocolEra() !== 'modern') throw new Error(`${url.href} did not negotiate 2026-07-28`);
  return client;
}

/** @param {Client} client @param {string} tool */
async function echo(client, tool) {
  const result = await client.callTool({ name: tool, arguments: { text: TEXT } });
  const text = result.content?.[0]?.text;
  if (result.isError || text !== TEXT)
    throw new Error(`${tool}: unexpected result ${JSON.stringify(result)}`);
}

/** @type {import('../run.mjs').Section} */
export default {
  name: 'modern-http',
  title: 'Sequential latency over HTTP, 2026-07-28 (stateless requests)',
  async run(context) {
    const calls = context.quick ? 300 : 2000;
    const warmup = context.quick ? 50 : 200;
    const config = await writeEchoConfig(context.tmpDir, ['echo']);
    const direct = await startModernEchoServer(context.scope);
    const gateway = await startHttpGateway(context.scope, config);
    const paths = [
      {
        key: 'direct',
        label: 'direct (v2 SDK createMcpHandler, no gateway)',
        client: await connectModern(context.scope, direct.url),
        tool: 'echo',
        pid: direct.pid,
      },
      {
        key: 'gateway',
        label: 'gateway HTTP, echo__echo',
        client: await connectModern(context.scope, gateway.url),
        tool: 'echo__echo',
        pid: gateway.pid,
      },
    ];
    // The gateway's echo backend may still be starting: its tool is callable once it is listed.
    for (let tries = 0; ; tries++) {
      const { tools } = await paths[1].client.listTools();
      if (tools.some((tool) => tool.name === 'echo__echo')) break;
      if (tries > 200) throw new Error('the gateway never listed echo__echo');
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    for (const path of paths) {
      path.samples = [];
      path.cpuNs = 0;
      context.log(`modern-http: warm-up ${path.label}`);
      await timeSequential(warmup, () => echo(path.client, path.tool));
    }
    const blockSize = Math.ceil(calls / BLOCKS);
    for (let block = 0; block < BLOCKS; block++) {
      for (const path of paths) {
        const before = cpuTime(path.pid);
        path.samples.push(...(await timeSequential(blockSize, () => echo(path.client, path.tool))));
        path.cpuNs += cpuTime(path.pid).ns - before.ns;
      }
      context.log(`modern-http: block ${block + 1}/${BLOCKS} done`);
    }
    const [directPath, gatewayPath] = paths;
    const directStats = summarize(directPath.samples);
    const gatewayStats = summarize(gatewayPath.samples);
    const ratio = gatewayStats.p50 / directStats.p50;
    const target = checkTarget(
      'p50 gateway / v2 SDK server, 2026-07-28 over HTTP',
      ratio,
      '<=',
      1.2,
      formatRatio,
    );
    const figures = { calls: blockSize * BLOCKS, warmup, paths: {} };
    const rows = paths.map((path) => {
      const stats = summarize(path.samples);
      const cpuUs = path.cpuNs / 1000 / path.samples.length;
      figures.paths[path.key] = { label: path.label, ...stats, serverCpuUsPerCall: cpuUs };
      return [
        path.label,
        formatMs(stats.p50),
        formatMs(stats.p95),
        formatMs(stats.p99),
        path.key === 'direct' ? 'baseline' : `${formatRatio(ratio)} ${targetMark(target)}`,
        formatUs(cpuUs),
      ];
    });
    figures.ratioP50 = ratio;
    return {
      tables: [
        {
          headers: ['path', 'p50 (ms)', 'p95 (ms)', 'p99 (ms)', 'p50 vs direct', 'server CPU per call (µs)'],
          rows,
        },
      ],
      figures,
      targets: [target],
      notes: [
        'Server CPU per call: the SDK server process for the direct path, the gateway process (not its backend) for the gateway path.',
      ],
    };
  },
};
