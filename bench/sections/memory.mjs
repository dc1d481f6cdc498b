/**
 * Gateway memory: RSS idle with 1 and with 20 backends, and the growth of one gateway process over 10,000 calls.
 * RSS is read from /proc after it settles (see settledRss); the backends' own memory is not counted.
 */
import { callOk, connectStdioGateway, waitForTools, writeEchoConfig } from '../lib/clients.mjs';
import { formatMB } from '../lib/format.mjs';
import { settledRss } from '../lib/proc-stats.mjs';
import { checkTarget, targetMark } from '../lib/targets.mjs';
import { runConcurrent } from '../lib/timing.mjs';

const ARGS = { text: 'memory' };
// Enough to keep the gateway busy without measuring queueing; the figure is about memory, not speed.
const IN_FLIGHT = 8;

/** @type {import('../run.mjs').Section} */
export default {
  name: 'memory',
  title: 'Gateway memory (RSS)',
  async run(context) {
    const calls = context.quick ? 1000 : 10_000;
    const warmup = context.quick ? 100 : 500;
    const names20 = Array.from({ length: 20 }, (_, index) => `echo${index + 1}`);
    const config1 = await writeEchoConfig(context.tmpDir, ['echo'], 'config-1.json');
    const config20 = await writeEchoConfig(context.tmpDir, names20, 'config-20.json');

    const one = await connectStdioGateway(context.scope, config1);
    await waitForTools(one.client, ['echo__echo']);
    const idle1 = await settledRss(one.pid);
    // The echo backend serves the same calls: its growth is the baseline of what a Node MCP process does as V8
    // sizes its heap to the load, with no gateway code involved.
    const listed = await one.client.callTool({ name: 'list_servers', arguments: {} });
    const backendPid = listed.structuredContent?.servers?.[0]?.pid;
    if (typeof backendPid !== 'number') throw new Error('list_servers did not give the backend pid');

    // Warm-up first: JIT code and lazily built structures of the first calls are not growth per call.
    await runConcurrent(warmup, IN_FLIGHT, () => callOk(one.client, 'echo__echo', ARGS));
    const before = await settledRss(one.pid);
    const backendBefore = await settledRss(backendPid);
    context.log(`memory: ${calls} calls`);
    await runConcurrent(calls, IN_FLIGHT, () => callOk(one.client, 'echo__echo', ARGS));
    const after = await settledRss(one.pid);
    const backendAfter = await settledRss(backendPid);
    const growth = after.bytes - before.bytes;
    const backendGrowth = backendAfter.bytes - backendBefore.bytes;
    // A second batch on the same process tells a leak (grows again by as much) from V8 sizing its heap up once
    // (RSS stays about level, or even drops when a major GC runs).
    context.log(`memory: ${calls} more calls`);
    await runConcurrent(calls, IN_FLIGHT, () => callOk(one.client, 'echo__echo', ARGS));
    const afterSecond = await settledRss(one.pid);
    const secondGrowth = afterSecond.bytes - after.bytes;
    await one.close();

    const twenty = await connectStdioGateway(context.scope, config20);
    await waitForTools(
      twenty.client,
      names20.map((name) => `${name}__echo`),
    );
    const idle20 = await settledRss(twenty.pid);
    await twenty.close();

    const perBackend = (idle20.bytes - idle1.bytes) / 19;
    const target = checkTarget(`RSS growth over ${calls} calls`, growth, '<', 10e6, formatMB);
    const settledNote = [idle1, before, after, afterSecond, idle20].every((reading) => reading.settled)
      ? 'every reading settled'
      : 'some readings did not settle within 3 s (the last sample counts)';

    return {
      tables: [
        {
          headers: ['gateway', 'RSS'],
          rows: [
            ['idle, 1 backend', formatMB(idle1.bytes)],
            ['idle, 20 backends', formatMB(idle20.bytes)],
            ['per extra backend', formatMB(perBackend)],
            [`1 backend, after ${warmup} warm-up calls`, formatMB(before.bytes)],
            [`1 backend, after ${calls} more calls`, formatMB(after.bytes)],
            [`growth over ${calls} calls`, `${formatMB(growth)} ${targetMark(target)}`],
            [`baseline: the echo backend's own growth over the same calls`, formatMB(backendGrowth)],
            [`1 backend, after a second ${calls} calls`, formatMB(afterSecond.bytes)],
            [`growth over the second ${calls} calls`, formatMB(secondGrowth)],
          ],
        },
      ],
      notes: [
        `VmRSS of the gateway process, sampled every 100 ms until 3 readings in a row agree within 128 KiB (${settledNote}); ${IN_FLIGHT} calls in flight.`,
      ],
      figures: {
        calls,
        warmup,
        idle1Bytes: idle1.bytes,
        idle20Bytes: idle20.bytes,
        perBackendBytes: perBackend,
        beforeCallsBytes: before.bytes,
        afterCallsBytes: after.bytes,
        growthBytes: growth,
        afterSecondCallsBytes: afterSecond.bytes,
        secondGrowthBytes: secondGrowth,
        backendGrowthBytes: backendGrowth,
        readings: { idle1, before, after, afterSecond, idle20 },
      },
      targets: [target],
    };
  },
};
