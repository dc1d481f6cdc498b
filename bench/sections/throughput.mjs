/**
 * Throughput with 1, 8 and 64 calls in flight, spread round-robin over 4 echo backends: through one gateway
 * session (stdio, namespaced tools) against 4 direct SDK clients driven the same way.
 */
import {
  callOk,
  connectDirect,
  connectStdioGateway,
  waitForTools,
  writeEchoConfig,
} from '../lib/clients.mjs';
import { formatInt, formatRatio, formatUs } from '../lib/format.mjs';
import { median } from '../lib/percentiles.mjs';
import { measureCpu } from '../lib/proc-stats.mjs';
import { checkTarget, targetMark } from '../lib/targets.mjs';
import { runConcurrent } from '../lib/timing.mjs';

const BACKENDS = ['echo1', 'echo2', 'echo3', 'echo4'];
const LEVELS = [1, 8, 64];
const ARGS = { text: 'throughput' };

/** @type {import('../run.mjs').Section} */
export default {
  name: 'throughput',
  title: 'Throughput over 4 backends (calls spread round-robin)',
  async run(context) {
    const calls = context.quick ? 300 : 4000;
    const warmup = context.quick ? 50 : 400;
    // Several runs per level, alternating direct and gateway; the median run counts.
    const repeats = context.quick ? 1 : 3;
    const config = await writeEchoConfig(context.tmpDir, BACKENDS);

    const gateway = await connectStdioGateway(context.scope, config);
    const directs = [];
    for (const name of BACKENDS) directs.push(await connectDirect(context.scope, name));
    await waitForTools(
      gateway.client,
      BACKENDS.map((name) => `${name}__echo`),
    );

    const modes = {
      direct: (index) => callOk(directs[index % directs.length].client, 'echo', ARGS),
      gateway: (index) => callOk(gateway.client, `${BACKENDS[index % BACKENDS.length]}__echo`, ARGS),
    };
    const figures = { calls, repeats, levels: {} };
    const targets = [];
    const rows = [];
    for (const inFlight of LEVELS) {
      const runs = { direct: [], gateway: [] };
      const gatewayCpuNs = [];
      for (const mode of Object.keys(modes)) await runConcurrent(warmup, inFlight, modes[mode]);
      for (let repeat = 0; repeat < repeats; repeat++) {
        // Alternate which mode goes first, so neither always runs on a machine the other just heated up.
        const order = repeat % 2 === 0 ? ['direct', 'gateway'] : ['gateway', 'direct'];
        for (const mode of order) {
          if (mode === 'gateway') {
            const { result, cpuNs } = await measureCpu(gateway.pid, () =>
              runConcurrent(calls, inFlight, modes.gateway),
            );
            runs.gateway.push(result);
            gatewayCpuNs.push(cpuNs);
          } else {
            runs.direct.push(await runConcurrent(calls, inFlight, modes.direct));
          }
        }
      }
      const directRate = (calls / median(runs.direct)) * 1000;
      const gatewayRate = (calls / median(runs.gateway)) * 1000;
      const ratio = gatewayRate / directRate;
      const cpuUs = median(gatewayCpuNs) / 1000 / calls;
      figures.levels[inFlight] = {
        directCallsPerSecond: directRate,
        gatewayCallsPerSecond: gatewayRate,
        ratio,
        gatewayCpuUsPerCall: cpuUs,
      };
      let ratioText = formatRatio(ratio);
      if (inFlight === 64) {
        const target = checkTarget(
          'throughput at 64 in flight, gateway / direct',
          ratio,
          '>=',
          0.5,
          formatRatio,
        );
        targets.push(target);
        ratioText += ` ${targetMark(target)}`;
      }
      rows.push([
        String(inFlight),
        formatInt(directRate),
        formatInt(gatewayRate),
        ratioText,
        formatUs(cpuUs),
      ]);
      context.log(`throughput: ${inFlight} in flight done`);
    }

    return {
      tables: [
        {
          headers: [
            'in flight',
            'direct calls/s',
            'gateway calls/s',
            'gateway / direct',
            'gateway CPU µs/call',
          ],
          rows,
        },
      ],
      notes: [
        `${calls} calls per run, median of ${repeats} run(s) per level, after ${warmup} warm-up calls; gateway over stdio with namespaced tools (one session), direct with one SDK client per backend.`,
      ],
      figures,
      targets,
    };
  },
};
