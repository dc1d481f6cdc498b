/**
 * What the audit log costs: two stdio gateways on the same echo backend, one plain and one with `--audit-log`,
 * measured in the same run, in interleaved blocks (sequential latency and gateway CPU per call) and at 64 calls in
 * flight (throughput and CPU per call). Reported as ratios of the observed gateway to the plain one.
 */
import { readFileSync } from 'node:fs';
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

/** @type {import('../run.mjs').Section} */
export default {
  name: 'observed',
  title: 'The audit log on the call path (plain gateway against one with --audit-log, same run)',
  async run(context) {
    const calls = context.quick ? 300 : 2000;
    const warmup = context.quick ? 50 : 200;
    const concurrentCalls = context.quick ? 600 : 4000;
    const repeats = context.quick ? 1 : 3;
    const config = await writeEchoConfig(context.tmpDir, ['echo']);
    const auditFile = path.join(context.tmpDir, 'audit.jsonl');

    const gateways = {
      plain: await connectStdioGateway(context.scope, config),
      audited: await connectStdioGateway(context.scope, config, ['--audit-log', auditFile]),
    };
    for (const gateway of Object.values(gateways)) await waitForTools(gateway.client, ['echo__echo']);
    const call = (key) => () => callOk(gateways[key].client, 'echo__echo', ARGS);

    const sequential = { plain: { samples: [], cpuNs: 0 }, audited: { samples: [], cpuNs: 0 } };
    for (const key of Object.keys(gateways)) await timeSequential(warmup, call(key));
    const blockSize = Math.ceil(calls / BLOCKS);
    for (let block = 0; block < BLOCKS; block++) {
      for (const key of block % 2 === 0 ? ['plain', 'audited'] : ['audited', 'plain']) {
        const before = cpuTime(gateways[key].pid).ns;
        sequential[key].samples.push(...(await timeSequential(blockSize, call(key))));
        sequential[key].cpuNs += cpuTime(gateways[key].pid).ns - before;
      }
      context.log(`observed: sequential block ${block + 1}/${BLOCKS} done`);
    }

    const concurrent = { plain: { ms: [], cpuNs: [] }, audited: { ms: [], cpuNs: [] } };
    for (const key of Object.keys(gateways)) await runConcurrent(warmup, IN_FLIGHT, call(key));
    for (let repeat = 0; repeat < repeats; repeat++) {
      for (const key of repeat % 2 === 0 ? ['plain', 'audited'] : ['audited', 'plain']) {
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
    const figures = { calls, concurrentCalls, repeats, auditLines: lines, modes: {} };
    for (const key of Object.keys(gateways)) {
      const count = sequential[key].samples.length;
      figures.modes[key] = {
        ...summarize(sequential[key].samples),
        cpuUsPerCall: sequential[key].cpuNs / 1000 / count,
        callsPerSecond: (concurrentCalls / median(concurrent[key].ms)) * 1000,
        concurrentCpuUsPerCall: median(concurrent[key].cpuNs) / 1000 / concurrentCalls,
      };
    }
    const { plain, audited } = figures.modes;
    figures.ratios = {
      p50: audited.p50 / plain.p50,
      cpuPerCall: audited.cpuUsPerCall / plain.cpuUsPerCall,
      throughput: audited.callsPerSecond / plain.callsPerSecond,
      concurrentCpuPerCall: audited.concurrentCpuUsPerCall / plain.concurrentCpuUsPerCall,
    };
    const cpuTarget = checkTarget(
      'gateway CPU per sequential call, audit log on / off',
      figures.ratios.cpuPerCall,
      '<=',
      1.25,
      formatRatio,
    );
    const throughputTarget = checkTarget(
      `throughput at ${IN_FLIGHT} in flight, audit log on / off`,
      figures.ratios.throughput,
      '>=',
      0.8,
      formatRatio,
    );
    const row = (label, mode) => [
      label,
      formatMs(mode.p50),
      formatMs(mode.p95),
      formatUs(mode.cpuUsPerCall),
      formatInt(mode.callsPerSecond),
      formatUs(mode.concurrentCpuUsPerCall),
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
            row('plain', plain),
            row('with --audit-log', audited),
            [
              'audit log on / off',
              formatRatio(figures.ratios.p50),
              '',
              `${formatRatio(figures.ratios.cpuPerCall)} ${targetMark(cpuTarget)}`,
              `${formatRatio(figures.ratios.throughput)} ${targetMark(throughputTarget)}`,
              formatRatio(figures.ratios.concurrentCpuPerCall),
            ],
          ],
        },
      ],
      notes: [
        `${calls} sequential calls per gateway in ${BLOCKS} interleaved blocks, then ${concurrentCalls} calls at ${IN_FLIGHT} in flight (median of ${repeats}), after warm-ups; the audit log had ${lines} lines at the end.`,
        "Each response waits until its line is in the file: the latency includes that write, the CPU is the gateway process's user+system time.",
      ],
      figures,
      targets: [cpuTarget, throughputTarget],
    };
  },
};
