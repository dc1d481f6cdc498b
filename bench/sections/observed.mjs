/**
 * What watching the call path costs: three stdio gateways on the same echo backend, measured in the same run, in
 * interleaved blocks (sequential latency and gateway CPU per call) and at 64 calls in flight (throughput and CPU
 * per call): a plain one (all off), one with `--audit-log`, and one with the audit log, metrics and traces exported
 * over OTLP (http/protobuf) to a receiver on loopback. Reported as ratios to the plain one.
 */
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import path from 'node:path';

import { callOk, connectStdioGateway, waitForTools, writeEchoConfig } from '../lib/clients.mjs';
import { formatInt, formatMs, formatRatio, formatUs } from '../lib/format.mjs';
import { median, summarize } from '../lib/percentiles.mjs';
import { cpuTime, measureCpu } from '../lib/proc-stats.mjs';
import { checkTarget, targetMark } from '../lib/targets.mjs';
import { runConcurrent, timeSequential } from '../lib/timing.mjs';

const ARGS = { text: 'observed' };
const BLOCKS = 4;
const IN_FLIGHT = 64;
const MODES = ['plain', 'audited', 'full'];
const LABELS = {
  plain: 'plain (all off)',
  audited: 'with --audit-log',
  full: 'audit log + metrics + traces (OTLP)',
};

/**
 * A loopback OTLP/HTTP receiver that takes every export and answers 200: what the gateway pays to export, without
 * a collector's own work in the way.
 * @param {import('../lib/scope.mjs').Scope} scope
 */
async function startReceiver(scope) {
  let exports = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      exports++;
      res.writeHead(200, { 'Content-Type': 'application/x-protobuf' }).end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  scope.add('OTLP receiver', () => new Promise((resolve) => server.close(() => resolve())));
  return { endpoint: `http://127.0.0.1:${server.address().port}`, exports: () => exports };
}

/** @type {import('../run.mjs').Section} */
export default {
  name: 'observed',
  title:
    'Watching the call path: a plain gateway against one with --audit-log and one with the audit log, metrics and traces (same run)',
  async run(context) {
    const calls = context.quick ? 300 : 2000;
    const warmup = context.quick ? 50 : 200;
    const concurrentCalls = context.quick ? 600 : 4000;
    const repeats = context.quick ? 1 : 3;
    const config = await writeEchoConfig(context.tmpDir, ['echo']);
    const auditFile = path.join(context.tmpDir, 'audit.jsonl');
    const receiver = await startReceiver(context.scope);

    const gateways = {
      plain: await connectStdioGateway(context.scope, config),
      audited: await connectStdioGateway(context.scope, config, ['--audit-log', auditFile]),
      full: await connectStdioGateway(
        context.scope,
        config,
        ['--audit-log', path.join(context.tmpDir, 'audit-full.jsonl')],
        {
          OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
          OTEL_TRACES_EXPORTER: 'otlp',
          OTEL_METRICS_EXPORTER: 'otlp',
          OTEL_METRIC_EXPORT_INTERVAL: '5000',
        },
      ),
    };
    for (const gateway of Object.values(gateways)) await waitForTools(gateway.client, ['echo__echo']);
    const call = (key) => () => callOk(gateways[key].client, 'echo__echo', ARGS);
    const rotated = (round) => MODES.map((_, index) => MODES[(index + round) % MODES.length]);

    const sequential = Object.fromEntries(MODES.map((key) => [key, { samples: [], cpuNs: 0 }]));
    for (const key of MODES) await timeSequential(warmup, call(key));
    const blockSize = Math.ceil(calls / BLOCKS);
    for (let block = 0; block < BLOCKS; block++) {
      for (const key of rotated(block)) {
        const before = cpuTime(gateways[key].pid).ns;
        sequential[key].samples.push(...(await timeSequential(blockSize, call(key))));
        sequential[key].cpuNs += cpuTime(gateways[key].pid).ns - before;
      }
      context.log(`observed: sequential block ${block + 1}/${BLOCKS} done`);
    }

    const concurrent = Object.fromEntries(MODES.map((key) => [key, { ms: [], cpuNs: [] }]));
    for (const key of MODES) await runConcurrent(warmup, IN_FLIGHT, call(key));
    for (let repeat = 0; repeat < repeats; repeat++) {
      for (const key of rotated(repeat)) {
        const { result, cpuNs } = await measureCpu(gateways[key].pid, () =>
          runConcurrent(concurrentCalls, IN_FLIGHT, call(key)),
        );
        concurrent[key].ms.push(result);
        concurrent[key].cpuNs.push(cpuNs);
      }
    }
    context.log('observed: throughput done');

    const lines = readFileSync(auditFile, 'utf8')
      .split('\n')
      .filter((line) => line !== '').length;
    const figures = {
      calls,
      concurrentCalls,
      repeats,
      auditLines: lines,
      otlpExports: receiver.exports(),
      modes: {},
    };
    for (const key of MODES) {
      const count = sequential[key].samples.length;
      figures.modes[key] = {
        ...summarize(sequential[key].samples),
        cpuUsPerCall: sequential[key].cpuNs / 1000 / count,
        callsPerSecond: (concurrentCalls / median(concurrent[key].ms)) * 1000,
        concurrentCpuUsPerCall: median(concurrent[key].cpuNs) / 1000 / concurrentCalls,
      };
    }
    const { plain } = figures.modes;
    const ratiosOf = (mode) => ({
      p50: mode.p50 / plain.p50,
      cpuPerCall: mode.cpuUsPerCall / plain.cpuUsPerCall,
      throughput: mode.callsPerSecond / plain.callsPerSecond,
      concurrentCpuPerCall: mode.concurrentCpuUsPerCall / plain.concurrentCpuUsPerCall,
    });
    figures.ratios = ratiosOf(figures.modes.audited);
    figures.fullRatios = ratiosOf(figures.modes.full);
    const targets = {
      audited: [
        checkTarget(
          'gateway CPU per sequential call, audit log on / off',
          figures.ratios.cpuPerCall,
          '<=',
          1.25,
          formatRatio,
        ),
        checkTarget(
          `throughput at ${IN_FLIGHT} in flight, audit log on / off`,
          figures.ratios.throughput,
          '>=',
          0.8,
          formatRatio,
        ),
      ],
      full: [
        checkTarget(
          'gateway CPU per sequential call, metrics + traces + audit log on / all off',
          figures.fullRatios.cpuPerCall,
          '<=',
          1.15,
          formatRatio,
        ),
        checkTarget(
          `throughput at ${IN_FLIGHT} in flight, metrics + traces + audit log on / all off`,
          figures.fullRatios.throughput,
          '>=',
          0.8,
          formatRatio,
        ),
      ],
    };
    const row = (key) => {
      const mode = figures.modes[key];
      return [
        LABELS[key],
        formatMs(mode.p50),
        formatMs(mode.p95),
        formatUs(mode.cpuUsPerCall),
        formatInt(mode.callsPerSecond),
        formatUs(mode.concurrentCpuUsPerCall),
      ];
    };
    const ratioRow = (label, ratios, [cpuTarget, throughputTarget]) => [
      label,
      formatRatio(ratios.p50),
      '',
      `${formatRatio(ratios.cpuPerCall)} ${targetMark(cpuTarget)}`,
      `${formatRatio(ratios.throughput)} ${targetMark(throughputTarget)}`,
      formatRatio(ratios.concurrentCpuPerCall),
    ];
    return {
      tables: [
        {
          headers: [
            'gateway (stdio, echo__echo)',
            'p50 ms',
            'p95 ms',
            'CPU µs/call',
            `calls/s at ${IN_FLIGHT}`,
            `CPU µs/call at ${IN_FLIGHT}`,
          ],
          rows: [
            ...MODES.map(row),
            ratioRow('audit log on / off', figures.ratios, targets.audited),
            ratioRow('audit log + metrics + traces on / off', figures.fullRatios, targets.full),
          ],
        },
      ],
      notes: [
        `${calls} sequential calls per gateway in ${BLOCKS} interleaved blocks, then ${concurrentCalls} calls at ${IN_FLIGHT} in flight (median of ${repeats}), after warm-ups; the audit log had ${lines} lines at the end.`,
        "Each response waits until its line is in the file: the latency includes that write, the CPU is the gateway process's user+system time.",
        `The third gateway exports spans (batched) and metrics (every 5 s) over OTLP http/protobuf to a loopback receiver that took ${receiver.exports()} exports; its CPU includes that export work.`,
      ],
      figures,
      targets: [...targets.audited, ...targets.full],
    };
  },
};
