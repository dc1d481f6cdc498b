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
import { BLOCKS, measureInterleaved, ratiosTo } from '../lib/interleaved.mjs';
import { checkTarget, targetMark } from '../lib/targets.mjs';

const ARGS = { text: 'observed' };
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
    const pids = Object.fromEntries(MODES.map((key) => [key, gateways[key].pid]));
    const call = (key) => () => callOk(gateways[key].client, 'echo__echo', ARGS);
    const measured = await measureInterleaved(context, 'observed', MODES, pids, call, IN_FLIGHT);

    const lines = readFileSync(auditFile, 'utf8')
      .split('\n')
      .filter((line) => line !== '').length;
    const figures = {
      ...measured,
      auditLines: lines,
      otlpExports: receiver.exports(),
      ratios: ratiosTo(measured.modes.audited, measured.modes.plain),
      fullRatios: ratiosTo(measured.modes.full, measured.modes.plain),
    };
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
        `${figures.calls} sequential calls per gateway in ${BLOCKS} interleaved blocks, then ${figures.concurrentCalls} calls at ${IN_FLIGHT} in flight (median of ${figures.repeats}), after warm-ups; the audit log had ${lines} lines at the end.`,
        "Each response waits until its line is in the file: the latency includes that write, the CPU is the gateway process's user+system time.",
        `The third gateway exports spans (batched) and metrics (every 5 s) over OTLP http/protobuf to a loopback receiver that took ${receiver.exports()} exports; its CPU includes that export work.`,
      ],
      figures,
      targets: [...targets.audited, ...targets.full],
    };
  },
};
