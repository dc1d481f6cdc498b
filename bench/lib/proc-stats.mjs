/**
 * CPU time and resident memory of another process, read from /proc (Linux only). Measuring the gateway from the
 * outside keeps the benchmark free of any hook inside the code under test.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';

// USER_HZ: the unit of utime/stime in /proc/<pid>/stat. It is 100 on every mainstream Linux build.
const CLOCK_TICKS_PER_SECOND = 100;

/**
 * Total CPU time (user + system) the process has used so far, in nanoseconds.
 *
 * Prefers the sum of the first field of /proc/<pid>/task/<tid>/schedstat (nanoseconds on CPU, per thread): it
 * is exact, where /proc/<pid>/stat counts in 10 ms ticks, too coarse for a run of a few hundred milliseconds.
 * Falls back to utime + stime from /proc/<pid>/stat when schedstat is missing (kernels without schedstats).
 * Only differences between two readings are meaningful; threads that exit in between drop out of the schedstat
 * sum, which Node's long-lived threads do not.
 * @param {number} pid
 * @returns {{ ns: number, source: 'schedstat' | 'stat' }}
 */
export function cpuTime(pid) {
  const fromSchedstat = readSchedstat(pid);
  if (fromSchedstat !== undefined) return { ns: fromSchedstat, source: 'schedstat' };
  return { ns: readStatTicks(pid) * (1e9 / CLOCK_TICKS_PER_SECOND), source: 'stat' };
}

/**
 * Measures the CPU time a process spends while `work` runs.
 * @template T
 * @param {number} pid
 * @param {() => Promise<T>} work
 * @returns {Promise<{ result: T, cpuNs: number, source: 'schedstat' | 'stat' }>}
 */
export async function measureCpu(pid, work) {
  const before = cpuTime(pid);
  const result = await work();
  const after = cpuTime(pid);
  return { result, cpuNs: after.ns - before.ns, source: after.source };
}

/**
 * Resident set size (VmRSS) of a process, in bytes.
 * @param {number} pid
 * @returns {number}
 */
export function rssBytes(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!match) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(match[1]) * 1024;
}

/**
 * RSS once it has stopped moving. Garbage collection cannot be forced from outside the process, so instead of a
 * blind sleep this samples RSS until `stableSamples` readings in a row stay within `toleranceBytes` of each
 * other, or `maxSamples` readings were taken (then the last one counts).
 * @param {number} pid
 * @param {{ intervalMs?: number, stableSamples?: number, maxSamples?: number, toleranceBytes?: number }} [options]
 * @returns {Promise<{ bytes: number, samples: number, settled: boolean }>}
 */
export async function settledRss(pid, options = {}) {
  const { intervalMs = 100, stableSamples = 3, maxSamples = 30, toleranceBytes = 128 * 1024 } = options;
  const readings = [rssBytes(pid)];
  while (readings.length < maxSamples) {
    const recent = readings.slice(-stableSamples);
    if (recent.length === stableSamples && Math.max(...recent) - Math.min(...recent) <= toleranceBytes) {
      return { bytes: readings.at(-1), samples: readings.length, settled: true };
    }
    await delay(intervalMs);
    readings.push(rssBytes(pid));
  }
  return { bytes: readings.at(-1), samples: readings.length, settled: false };
}

/** @param {number} pid @returns {number | undefined} */
function readSchedstat(pid) {
  let tids;
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return undefined;
  }
  let total = 0;
  let read = 0;
  for (const tid of tids) {
    try {
      total += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      read++;
    } catch {
      // The thread exited between readdir and read: it no longer counts.
    }
  }
  return read > 0 && total > 0 ? total : undefined;
}

/** @param {number} pid @returns {number} */
function readStatTicks(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces and parentheses: count fields from the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 (utime) and 15 (stime); `fields` starts at field 3.
  return Number(fields[11]) + Number(fields[12]);
}
