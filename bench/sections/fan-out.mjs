/**
 * Fan-out: 8 backends each with a 200 ms tool, called all at once through the gateway. If the gateway runs calls
 * to different backends concurrently, the 8 together take about as long as one.
 */
import { callOk, connectStdioGateway, waitForTools, writeEchoConfig } from '../lib/clients.mjs';
import { formatMs, formatRatio } from '../lib/format.mjs';
import { median } from '../lib/percentiles.mjs';
import { checkTarget, targetMark } from '../lib/targets.mjs';
import { timeOnce } from '../lib/timing.mjs';

const BACKENDS = Array.from({ length: 8 }, (_, index) => `slow${index + 1}`);
const SLOW_MS = 200;

/** @type {import('../run.mjs').Section} */
export default {
  name: 'fan-out',
  title: `Fan-out (8 backends, a ${SLOW_MS} ms tool each, through the gateway)`,
  async run(context) {
    const repeats = context.quick ? 2 : 7;
    const config = await writeEchoConfig(context.tmpDir, BACKENDS);
    const gateway = await connectStdioGateway(context.scope, config);
    await waitForTools(
      gateway.client,
      BACKENDS.map((name) => `${name}__slow`),
    );

    const slow = (name, ms) => callOk(gateway.client, `${name}__slow`, { ms });
    // Warm every backend's path once with a near-zero wait.
    await Promise.all(BACKENDS.map((name) => slow(name, 1)));

    const single = [];
    const fanOut = [];
    for (let repeat = 0; repeat < repeats; repeat++) {
      single.push(await timeOnce(() => slow(BACKENDS[repeat % BACKENDS.length], SLOW_MS)));
      fanOut.push(await timeOnce(() => Promise.all(BACKENDS.map((name) => slow(name, SLOW_MS)))));
    }
    const singleMs = median(single);
    const fanOutMs = median(fanOut);
    const ratio = fanOutMs / singleMs;
    const target = checkTarget('fan-out of 8 / one call', ratio, '<=', 1.15, formatRatio);

    return {
      tables: [
        {
          headers: ['case', 'median ms', 'vs one call'],
          rows: [
            [`one call (${SLOW_MS} ms tool)`, formatMs(singleMs), 'baseline'],
            [
              `8 calls at once, 8 backends`,
              formatMs(fanOutMs),
              `${formatRatio(ratio)} ${targetMark(target)}`,
            ],
          ],
        },
      ],
      notes: [`Median of ${repeats} runs of each, alternating; gateway over stdio, namespaced tools.`],
      figures: {
        repeats,
        slowMs: SLOW_MS,
        singleMs,
        fanOutMs,
        ratio,
        singleRuns: single,
        fanOutRuns: fanOut,
      },
      targets: [target],
    };
  },
};
