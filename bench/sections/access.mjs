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
import { BLOCKS, measureInterleaved, ratiosTo } from '../lib/interleaved.mjs';
import { checkTarget, targetMark } from '../lib/targets.mjs';

const ARGS = { text: 'access' };
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
    const open = await writeEchoConfig(context.tmpDir, ['echo']);
    const ruled = path.join(context.tmpDir, 'access-config.json');
    const servers = JSON.parse(await readFile(open, 'utf8')).servers;
    await writeFile(ruled, JSON.stringify({ servers, access: accessRules() }, null, 2));

    const gateways = {
      open: await connectStdioGateway(context.scope, open),
      ruled: await connectStdioGateway(context.scope, ruled),
    };
    for (const gateway of Object.values(gateways)) await waitForTools(gateway.client, ['echo__echo']);
    const pids = { open: gateways.open.pid, ruled: gateways.ruled.pid };
    const call = (key) => () => callOk(gateways[key].client, 'echo__echo', ARGS);
    const figures = await measureInterleaved(context, 'access', MODES, pids, call, IN_FLIGHT);
    figures.ratios = ratiosTo(figures.modes.ruled, figures.modes.open);
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
        `${figures.calls} sequential calls per gateway in ${BLOCKS} interleaved blocks, then ${figures.concurrentCalls} calls at ${IN_FLIGHT} in flight (median of ${figures.repeats}), after warm-ups.`,
        "The CPU is the gateway process's user+system time.",
      ],
      figures,
      targets,
    };
  },
};
