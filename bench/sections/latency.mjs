/**
 * Sequential latency and gateway CPU per call: the echo tool called directly, and through the gateway over stdio
 * (call_backend and the namespaced tool) and over Streamable HTTP (namespaced tool).
 *
 * The paths run in interleaved blocks (direct, stdio call_backend, stdio namespaced, HTTP, then again) so that a
 * burst of load from elsewhere on the machine spreads over every path instead of skewing one of them.
 */
import {
  callOk,
  connectDirect,
  connectFloorRelay,
  connectStdioGateway,
  startHttpEchoServer,
  startHttpGateway,
  textOf,
  waitForTools,
  writeEchoConfig,
} from '../lib/clients.mjs';
import { formatMs, formatRatio, formatUs } from '../lib/format.mjs';
import { summarize } from '../lib/percentiles.mjs';
import { cpuTime } from '../lib/proc-stats.mjs';
import { groupedBarChart } from '../lib/svg-chart.mjs';
import { checkTarget, targetMark } from '../lib/targets.mjs';
import { timeSequential } from '../lib/timing.mjs';

const TEXT = 'hello through the gateway';
/** Paths measured for comparison, without targets: no gateway in them. */
const BASELINES = new Set(['direct', 'floor', 'http-direct']);
const BLOCKS = 4;

/** @type {import('../run.mjs').Section} */
export default {
  name: 'latency',
  title: 'Sequential latency (echo tool, one call at a time)',
  async run(context) {
    const calls = context.quick ? 300 : 2000;
    const warmup = context.quick ? 50 : 200;
    const config = await writeEchoConfig(context.tmpDir, ['echo']);

    const direct = await connectDirect(context.scope);
    const floor = await connectFloorRelay(context.scope);
    const stdio = await connectStdioGateway(context.scope, config);
    const http = await startHttpGateway(context.scope, config);
    const httpClient = await http.connect();
    const httpEcho = await startHttpEchoServer(context.scope);
    const httpEchoClient = await httpEcho.connect();
    await waitForTools(stdio.client, ['echo__echo']);
    await waitForTools(httpClient, ['echo__echo']);

    // The backend behind each gateway, to report its CPU per call next to the gateway's.
    const backendPid = async (client) => Number(textOf(await callOk(client, 'echo__pid', {})));
    const paths = [
      {
        key: 'direct',
        label: 'direct (SDK client -> backend)',
        chartLabel: 'direct',
        client: direct.client,
        tool: 'echo',
        args: { text: TEXT },
        gatewayPid: undefined,
        backendPid: direct.pid,
      },
      {
        key: 'floor',
        label: 'floor: bare relay (parse + re-serialise only)',
        chartLabel: 'bare relay\n(floor)',
        client: floor.client,
        tool: 'echo',
        args: { text: TEXT },
        gatewayPid: floor.pid,
        backendPid: Number(textOf(await callOk(floor.client, 'pid', {}))),
      },
      {
        key: 'stdio-call-backend',
        label: 'gateway stdio, call_backend',
        chartLabel: 'gateway stdio\ncall_backend',
        client: stdio.client,
        tool: 'call_backend',
        args: { server: 'echo', tool: 'echo', params: { text: TEXT } },
        gatewayPid: stdio.pid,
        backendPid: await backendPid(stdio.client),
      },
      {
        key: 'stdio-namespaced',
        label: 'gateway stdio, echo__echo',
        chartLabel: 'gateway stdio\necho__echo',
        client: stdio.client,
        tool: 'echo__echo',
        args: { text: TEXT },
        gatewayPid: stdio.pid,
        backendPid: await backendPid(stdio.client),
      },
      {
        key: 'http-direct',
        label: 'direct HTTP (SDK server, no gateway)',
        chartLabel: 'direct HTTP\n(SDK server)',
        client: httpEchoClient,
        tool: 'echo',
        args: { text: TEXT },
        gatewayPid: undefined,
        backendPid: httpEcho.pid,
      },
      {
        key: 'http-namespaced',
        label: 'gateway HTTP, echo__echo',
        chartLabel: 'gateway HTTP\necho__echo',
        client: httpClient,
        tool: 'echo__echo',
        args: { text: TEXT },
        gatewayPid: http.pid,
        backendPid: await backendPid(httpClient),
      },
    ];

    for (const path of paths) {
      const result = await callOk(path.client, path.tool, path.args);
      if (textOf(result) !== TEXT)
        throw new Error(`${path.label}: unexpected result ${JSON.stringify(result)}`);
      path.samples = [];
      path.gatewayCpuNs = 0;
      path.backendCpuNs = 0;
      context.log(`latency: warm-up ${path.label}`);
      await timeSequential(warmup, () => callOk(path.client, path.tool, path.args));
    }

    let cpuSource;
    const blockSize = Math.ceil(calls / BLOCKS);
    for (let block = 0; block < BLOCKS; block++) {
      for (const path of paths) {
        const count = Math.min(blockSize, calls - path.samples.length);
        const gatewayBefore = path.gatewayPid === undefined ? undefined : cpuTime(path.gatewayPid);
        const backendBefore = cpuTime(path.backendPid);
        const samples = await timeSequential(count, () => callOk(path.client, path.tool, path.args));
        const backendAfter = cpuTime(path.backendPid);
        if (gatewayBefore !== undefined) {
          const gatewayAfter = cpuTime(path.gatewayPid);
          path.gatewayCpuNs += gatewayAfter.ns - gatewayBefore.ns;
          cpuSource = gatewayAfter.source;
        }
        path.backendCpuNs += backendAfter.ns - backendBefore.ns;
        path.samples.push(...samples);
      }
      context.log(`latency: block ${block + 1}/${BLOCKS} done`);
    }

    const directP50 = summarize(paths[0].samples).p50;
    const httpDirectP50 = summarize(paths.find((path) => path.key === 'http-direct').samples).p50;
    const figures = { calls, warmup, cpuSource, paths: {} };
    const targets = [];
    const rows = paths.map((path) => {
      const stats = summarize(path.samples);
      const ratio = stats.p50 / directP50;
      const gatewayUs = path.gatewayPid === undefined ? Number.NaN : path.gatewayCpuNs / 1000 / calls;
      const backendUs = path.backendCpuNs / 1000 / calls;
      figures.paths[path.key] = {
        label: path.label,
        ...stats,
        ratioP50: ratio,
        gatewayCpuUsPerCall: path.gatewayPid === undefined ? null : gatewayUs,
        backendCpuUsPerCall: backendUs,
      };
      let ratioText = path.key === 'direct' ? 'baseline' : formatRatio(ratio);
      if (path.key === 'http-namespaced')
        ratioText += ` (${formatRatio(stats.p50 / httpDirectP50)} of direct HTTP)`;
      let cpuText = path.gatewayPid === undefined ? '-' : formatUs(gatewayUs);
      const baseline = BASELINES.has(path.key);
      if (!baseline) {
        const latencyTarget = checkTarget(`p50 ${path.label} / direct`, ratio, '<=', 1.9, formatRatio);
        const cpuTarget = checkTarget(
          `gateway CPU per call, ${path.label}`,
          gatewayUs,
          '<=',
          60,
          (v) => `${formatUs(v)} µs`,
        );
        targets.push(latencyTarget, cpuTarget);
        ratioText += ` ${targetMark(latencyTarget)}`;
        cpuText += ` ${targetMark(cpuTarget)}`;
      }
      return [
        path.label,
        formatMs(stats.p50),
        formatMs(stats.p95),
        formatMs(stats.p99),
        ratioText,
        cpuText,
        formatUs(backendUs),
      ];
    });

    const chart = groupedBarChart({
      title: `Sequential echo call latency (${calls} calls per path)`,
      yLabel: 'latency (ms)',
      xLabel: 'path',
      groups: paths.map((path) => ({ label: path.chartLabel, values: figures.paths[path.key] })),
      series: [
        { key: 'p50', label: 'p50', color: '#4c78a8' },
        { key: 'p95', label: 'p95', color: '#f58518' },
        { key: 'p99', label: 'p99', color: '#e45756' },
      ],
      format: formatMs,
    });

    const floorUs = figures.paths.floor.gatewayCpuUsPerCall;
    const namespacedUs = figures.paths['stdio-namespaced'].gatewayCpuUsPerCall;
    figures.gatewayCpuVsFloor = namespacedUs / floorUs;

    return {
      tables: [
        {
          headers: [
            'path',
            'p50 ms',
            'p95 ms',
            'p99 ms',
            'p50 vs direct',
            'gateway CPU µs/call',
            'backend CPU µs/call',
          ],
          rows,
        },
      ],
      notes: [
        `${calls} sequential calls per path after ${warmup} warm-up calls, in ${BLOCKS} interleaved blocks.`,
        `CPU from /proc (${cpuSource}): the gateway process's user+system time during the calls divided by the calls; the backend's for comparison.`,
        `The bare relay is the floor of a stdio hop here: its CPU per call (${formatUs(floorUs)} µs) is two pipe reads, two pipe writes and two JSON round trips; the gateway's namespaced path costs ${formatRatio(namespacedUs / floorUs)} that.`,
        "The HTTP rows also carry the client side of HTTP (the SDK client runs in the benchmark process), which the stdio rows do not; direct HTTP is the SDK's own Streamable HTTP server with the echo tool, and its CPU is in the backend column.",
      ],
      figures,
      targets,
      charts: [{ file: 'latency.svg', svg: chart }],
    };
  },
};
