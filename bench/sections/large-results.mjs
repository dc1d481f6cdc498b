/**
 * Large results: 1 MiB and 10 MiB tool results (the fixture's `big` tool) through the gateway (stdio, namespaced
 * tool) against the same backend tool called directly.
 */
import {
  callOk,
  connectDirect,
  connectStdioGateway,
  textOf,
  waitForTools,
  writeEchoConfig,
} from '../lib/clients.mjs';
import { formatMs, formatRatio } from '../lib/format.mjs';
import { median } from '../lib/percentiles.mjs';
import { measureCpu } from '../lib/proc-stats.mjs';
import { checkTarget, targetMark } from '../lib/targets.mjs';
import { timeOnce } from '../lib/timing.mjs';

const MIB = 1024 * 1024;

/** @type {import('../run.mjs').Section} */
export default {
  name: 'large-results',
  title: 'Large results (one big text item)',
  async run(context) {
    const sizes = [
      { label: '1 MiB', bytes: MIB, repeats: context.quick ? 3 : 10 },
      { label: '10 MiB', bytes: 10 * MIB, repeats: context.quick ? 2 : 5 },
    ];
    const config = await writeEchoConfig(context.tmpDir, ['echo']);
    const direct = await connectDirect(context.scope);
    const gateway = await connectStdioGateway(context.scope, config);
    await waitForTools(gateway.client, ['echo__big']);

    const paths = {
      direct: (bytes) => callOk(direct.client, 'big', { bytes }),
      gateway: (bytes) => callOk(gateway.client, 'echo__big', { bytes }),
    };
    const figures = { sizes: {} };
    const targets = [];
    const rows = [];
    for (const size of sizes) {
      // One checked call each as warm-up: a truncated or failed result must not pass for a fast one.
      for (const [path, call] of Object.entries(paths)) {
        const length = textOf(await call(size.bytes)).length;
        if (length !== size.bytes) throw new Error(`${path} ${size.label}: got ${length} characters`);
      }
      const times = { direct: [], gateway: [] };
      const gatewayCpuNs = [];
      for (let repeat = 0; repeat < size.repeats; repeat++) {
        times.direct.push(await timeOnce(() => paths.direct(size.bytes)));
        const { result, cpuNs } = await measureCpu(gateway.pid, () =>
          timeOnce(() => paths.gateway(size.bytes)),
        );
        times.gateway.push(result);
        gatewayCpuNs.push(cpuNs);
      }
      const directMs = median(times.direct);
      const gatewayMs = median(times.gateway);
      const ratio = gatewayMs / directMs;
      const cpuMs = median(gatewayCpuNs) / 1e6;
      figures.sizes[size.label] = {
        bytes: size.bytes,
        repeats: size.repeats,
        directMs,
        gatewayMs,
        ratio,
        gatewayCpuMsPerCall: cpuMs,
        runsMs: times,
      };
      let ratioText = formatRatio(ratio);
      if (size.bytes === 10 * MIB) {
        const target = checkTarget('10 MiB result, gateway / direct', ratio, '<=', 2.5, formatRatio);
        targets.push(target);
        ratioText += ` ${targetMark(target)}`;
      }
      rows.push([size.label, formatMs(directMs), formatMs(gatewayMs), ratioText, formatMs(cpuMs)]);
      context.log(`large-results: ${size.label} done`);
    }

    return {
      tables: [
        {
          headers: ['result size', 'direct ms', 'gateway ms', 'gateway / direct', 'gateway CPU ms/call'],
          rows,
        },
      ],
      notes: [
        `Median of ${sizes.map((size) => `${size.repeats} (${size.label})`).join(' and ')} calls, alternating direct and gateway; gateway over stdio, namespaced tool.`,
      ],
      figures,
      targets,
    };
  },
};
