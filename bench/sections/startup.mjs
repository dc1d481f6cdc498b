/**
 * Startup: from spawning the process until tools/list shows every backend's tools, for the gateway with 1, 10 and
 * 20 echo backends, against a direct echo backend (spawn, initialize, tools/list) and twenty direct backends
 * started at once.
 *
 * Variants run round-robin (one of each, then again) and each figure is the median, so that a slow moment of a
 * shared machine does not land on one variant only. Nothing waits a fixed time: readiness is tools/list, re-read
 * on each notifications/tools/list_changed (see waitForTools).
 */
import os from 'node:os';

import { connectDirect, connectStdioGateway, waitForTools, writeEchoConfig } from '../lib/clients.mjs';
import { formatMs, formatRatio } from '../lib/format.mjs';
import { median } from '../lib/percentiles.mjs';
import { checkTarget, targetMark } from '../lib/targets.mjs';
import { timeOnce } from '../lib/timing.mjs';

const GATEWAY_SIZES = [1, 10, 20];

/** @type {import('../run.mjs').Section} */
export default {
  name: 'startup',
  title: 'Startup (spawn until tools/list shows every backend)',
  async run(context) {
    const repeats = context.quick ? 1 : 5;
    const variants = [
      {
        key: 'direct',
        label: 'direct, 1 echo backend',
        start: async () => {
          const direct = await connectDirect(context.scope);
          await direct.client.listTools();
          return direct;
        },
      },
      {
        // The same twenty processes without a gateway: on a machine with few cores, starting twenty Node
        // processes at once is CPU-bound whoever starts them, and this row shows that cost on its own.
        key: 'direct-20',
        label: 'direct, 20 echo backends at once',
        start: async () => {
          const clients = await Promise.all(
            Array.from({ length: 20 }, async (_, index) => {
              const direct = await connectDirect(context.scope, `echo${index + 1}`);
              await direct.client.listTools();
              return direct;
            }),
          );
          return { close: () => Promise.all(clients.map((client) => client.close())) };
        },
      },
    ];
    for (const size of GATEWAY_SIZES) {
      const names = Array.from({ length: size }, (_, index) => `echo${index + 1}`);
      const config = await writeEchoConfig(context.tmpDir, names, `config-${size}.json`);
      const tools = names.map((name) => `${name}__echo`);
      variants.push({
        key: `gateway-${size}`,
        label: `gateway, ${size} backend${size === 1 ? '' : 's'}`,
        start: async () => {
          const gateway = await connectStdioGateway(context.scope, config);
          await waitForTools(gateway.client, tools);
          return gateway;
        },
      });
    }

    const times = Object.fromEntries(variants.map((variant) => [variant.key, []]));
    for (let repeat = 0; repeat < repeats; repeat++) {
      for (const variant of variants) {
        let started;
        times[variant.key].push(await timeOnce(async () => (started = await variant.start())));
        // Shut down outside the timing, and before the next start, so that a dying gateway and its backends
        // do not compete for CPU with the next measurement. (On a failure the section's scope closes it.)
        await started.close();
      }
      context.log(`startup: round ${repeat + 1}/${repeats} done`);
    }

    const medians = Object.fromEntries(variants.map((variant) => [variant.key, median(times[variant.key])]));
    const oneBackend = medians['gateway-1'];
    const targets = [];
    const rows = variants.map((variant) => {
      const ms = medians[variant.key];
      if (variant.key === 'direct') return [variant.label, formatMs(ms), 'baseline', '-', '-'];
      if (variant.key === 'direct-20')
        return [variant.label, formatMs(ms), formatRatio(ms / medians.direct), '-', 'baseline'];
      const vsOne = ms / oneBackend;
      let vsOneText = variant.key === 'gateway-1' ? 'baseline' : formatRatio(vsOne);
      if (variant.key === 'gateway-20') {
        const target = checkTarget('startup with 20 backends / 1 backend', vsOne, '<=', 1.5, formatRatio);
        targets.push(target);
        vsOneText += ` ${targetMark(target)}`;
      }
      const vsDirect20 = variant.key === 'gateway-20' ? formatRatio(ms / medians['direct-20']) : '-';
      return [variant.label, formatMs(ms), formatRatio(ms / medians.direct), vsOneText, vsDirect20];
    });
    const cores = os.availableParallelism();

    return {
      tables: [
        { headers: ['case', 'median ms', 'vs direct', 'vs gateway with 1', 'vs 20 direct at once'], rows },
      ],
      notes: [
        `Median of ${repeats} starts each, round-robin; ${cores} CPU core(s) available (every backend is a Node process starting at the same time).`,
      ],
      figures: {
        repeats,
        cores,
        medianMs: medians,
        runsMs: times,
        ratio10vs1: medians['gateway-10'] / oneBackend,
        ratio20vs1: medians['gateway-20'] / oneBackend,
        ratio1vsDirect: oneBackend / medians.direct,
        ratio20vsDirect20: medians['gateway-20'] / medians['direct-20'],
      },
      targets,
    };
  },
};
