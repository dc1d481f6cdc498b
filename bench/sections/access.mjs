/**
 * What access rules cost on the call path: two stdio gateways on the same echo backend, measured in the same run,
 * in interleaved blocks (sequential latency and gateway CPU per call) and at 64 calls in flight (throughput and CPU
 * per call): one without an `access` section, one with 20 rules of globs, the last of which lets the stdio
 * principal (`local`) call the echo tool. A call with rules in force pays a cached decision, not glob matching.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { callOk, connectStdioGateway, waitForTools, writeEchoConfig } from '../lib/clients.mjs';
import { formatInt, formatMs, formatRatio, formatUs } from '../lib/format.mjs';
import { median, summarize } from '../lib/percentiles.mjs';
import { cpuTime, measureCpu } from '../lib/proc-stats.mjs';
import { checkTarget, targetMark } from '../lib/targets.mjs';
import { runConcurrent, timeSequential } from '../lib/timing.mjs';

const ARGS = { text: 'access' };
const BLOCKS = 4;
const IN_FLIGHT = 64;
const MODES = ['open', 'ruled'];
const LABELS = { open: 'no access section', ruled: '20 access rules' };

/** Nineteen rules for other principals, then the one that applies. */
function accessRules() {
  const others = Array.from({ length: 19 }, (_, index) => ({
    name: `team-${index}`,
    match: { principals: [`team-${index}-*`], groups: [`group-${index}`] },
    allow: { tools: [`server-${index}.read_*`, `echo.tool_${index}?`], pipelines: [`p-${index}`] },
    deny: { tools: [`*.write_${index}*`] },
  }));
  return {
    rules: [...others, { name: 'me', match: { principals: ['local'] }, allow: { tools: ['echo.ec*'] } }],
  };
}

/** @type {import('../run.mjs').Section} */
export default {
  name: 'access',
  title: 'Access rules on the call path: a gateway without rules against one with 20 (same run)',
  async run(context) {
    const calls = context.quick ? 300 : 2000;
    const warmup = context.quick ? 50 : 200;
    const concurrentCalls = context.quick ? 600 : 4000;
    const repeats = context.quick ? 1 : 3;
    const open = await writeEchoConfig(context.tmpDir, ['echo']);
    const ruled = path.join(context.tmpDir, 'access-config.json');
    const servers = JSON.parse(await readFile(open, 'utf8')).servers;
    await writeFile(ruled, JSON.stringify({ servers, access: accessRules() }, null, 2));

    const gateways = {
      open: await connectStdioGateway(context.scope, open),
      ruled: await connectStdioGateway(context.scope, ruled),
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
      context.log(`access: sequential block ${block + 1}/${BLOCKS} done`);
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
    context.log('access: throughput done');

    const figures = { calls, concurrentCalls, repeats, modes: {} };
    for (const key of MODES) {
      const count = sequential[key].samples.length;
      figures.modes[key] = {
        ...summarize(sequential[key].samples),
        cpuUsPerCall: sequential[key].cpuNs / 1000 / count,
        callsPerSecond: (concurrentCalls / median(concurrent[key].ms)) * 1000,
        concurrentCpuUsPerCall: median(concurrent[key].cpuNs) / 1000 / concurrentCalls,
      };
    }
    const { open: base, ruled: mode } = figures.modes;
    figures.ratios = {
      p50: mode.p50 / base.p50,
      cpuPerCall: mode.cpuUsPerCall / base.cpuUsPerCall,
      throughput: mode.callsPerSecond / base.callsPerSecond,
      concurrentCpuPerCall: mode.concurrentCpuUsPerCall / base.concurrentCpuUsPerCall,
    };
    const targets = [
      checkTarget(
        'gateway CPU per sequential call, rules / none',
        figures.ratios.cpuPerCall,
        '<=',
        1.1,
        formatRatio,
      ),
      checkTarget(
        `throughput at ${IN_FLIGHT} in flight, rules / none`,
        figures.ratios.throughput,
        '>=',
        0.9,
        formatRatio,
      ),
    ];
    const row = (key) => {
      const figuresOf = figures.modes[key];
      return [
        LABELS[key],
        formatMs(figuresOf.p50),
        formatMs(figuresOf.p95),
        formatUs(figuresOf.cpuUsPerCall),
        formatInt(figuresOf.callsPerSecond),
        formatUs(figuresOf.concurrentCpuUsPerCall),
      ];
    };
    const { ratios } = figures;
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
            [
              'rules / none',
              formatRatio(ratios.p50),
              '',
              `${formatRatio(ratios.cpuPerCall)} ${targetMark(targets[0])}`,
              `${formatRatio(ratios.throughput)} ${targetMark(targets[1])}`,
              formatRatio(ratios.concurrentCpuPerCall),
            ],
          ],
        },
      ],
      notes: [
        `${calls} sequential calls per gateway in ${BLOCKS} interleaved blocks, then ${concurrentCalls} calls at ${IN_FLIGHT} in flight (median of ${repeats}), after warm-ups.`,
        "The CPU is the gateway process's user+system time.",
      ],
      figures,
      targets,
    };
  },
};
