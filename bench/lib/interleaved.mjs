/**
 * Several stdio gateways on the same tool, measured in the same run so that their ratios mean something on a busy
 * machine: sequential calls in interleaved blocks (latency and the gateway's CPU per call), then calls at a fixed
 * number in flight, repeated in rotating order (throughput and CPU per call). Used by the sections that compare a
 * plain gateway with one doing more on its call path.
 */
import { median, summarize } from './percentiles.mjs';
import { cpuTime, measureCpu } from './proc-stats.mjs';
import { runConcurrent, timeSequential } from './timing.mjs';

/** How many blocks the sequential calls are split into, alternating between the gateways. */
export const BLOCKS = 4;

/**
 * @typedef {object} ModeFigures
 * @property {number} p50
 * @property {number} p95
 * @property {number} cpuUsPerCall gateway CPU per call, one at a time
 * @property {number} callsPerSecond at `inFlight` in flight (median of the repeats)
 * @property {number} concurrentCpuUsPerCall gateway CPU per call at `inFlight` in flight
 */

/**
 * Measures each of `modes`, every one called through `call(mode)`, its CPU read from `pids[mode]`.
 * @param {{ quick: boolean, log: (line: string) => void }} context
 * @param {string} label names the section in the progress lines
 * @param {readonly string[]} modes
 * @param {Record<string, number>} pids
 * @param {(mode: string) => () => Promise<unknown>} call
 * @param {number} inFlight
 * @returns {Promise<{ calls: number, concurrentCalls: number, repeats: number, modes: Record<string, ModeFigures> }>}
 */
export async function measureInterleaved(context, label, modes, pids, call, inFlight) {
  const calls = context.quick ? 300 : 2000;
  const warmup = context.quick ? 50 : 200;
  const concurrentCalls = context.quick ? 600 : 4000;
  const repeats = context.quick ? 1 : 3;
  const rotated = (round) => modes.map((_, index) => modes[(index + round) % modes.length]);

  const sequential = Object.fromEntries(modes.map((key) => [key, { samples: [], cpuNs: 0 }]));
  for (const key of modes) await timeSequential(warmup, call(key));
  const blockSize = Math.ceil(calls / BLOCKS);
  for (let block = 0; block < BLOCKS; block++) {
    for (const key of rotated(block)) {
      const before = cpuTime(pids[key]).ns;
      sequential[key].samples.push(...(await timeSequential(blockSize, call(key))));
      sequential[key].cpuNs += cpuTime(pids[key]).ns - before;
    }
    context.log(`${label}: sequential block ${block + 1}/${BLOCKS} done`);
  }

  const concurrent = Object.fromEntries(modes.map((key) => [key, { ms: [], cpuNs: [] }]));
  for (const key of modes) await runConcurrent(warmup, inFlight, call(key));
  for (let repeat = 0; repeat < repeats; repeat++) {
    for (const key of rotated(repeat)) {
      const { result, cpuNs } = await measureCpu(pids[key], () =>
        runConcurrent(concurrentCalls, inFlight, call(key)),
      );
      concurrent[key].ms.push(result);
      concurrent[key].cpuNs.push(cpuNs);
    }
  }
  context.log(`${label}: throughput done`);

  const figures = { calls, concurrentCalls, repeats, modes: {} };
  for (const key of modes) {
    const count = sequential[key].samples.length;
    figures.modes[key] = {
      ...summarize(sequential[key].samples),
      cpuUsPerCall: sequential[key].cpuNs / 1000 / count,
      callsPerSecond: (concurrentCalls / median(concurrent[key].ms)) * 1000,
      concurrentCpuUsPerCall: median(concurrent[key].cpuNs) / 1000 / concurrentCalls,
    };
  }
  return figures;
}

/**
 * `mode`'s figures as ratios to `base`'s.
 * @param {ModeFigures} mode
 * @param {ModeFigures} base
 */
export function ratiosTo(mode, base) {
  return {
    p50: mode.p50 / base.p50,
    cpuPerCall: mode.cpuUsPerCall / base.cpuUsPerCall,
    throughput: mode.callsPerSecond / base.callsPerSecond,
    concurrentCpuPerCall: mode.concurrentCpuUsPerCall / base.concurrentCpuUsPerCall,
  };
}
