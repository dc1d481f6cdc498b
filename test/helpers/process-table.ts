import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';

/** State and parent of a process, from `/proc/<pid>/stat`; undefined when it cannot be read. */
function readStat(pid: number): { state: string; ppid: number } | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // `pid (comm) state ppid ...`; comm may itself contain spaces and parentheses.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const state = fields[0];
  const ppid = Number(fields[1]);
  if (!state || !Number.isInteger(ppid)) return undefined;
  return { state, ppid };
}

/** Zombie (`Z`) or dead (`X`) processes have exited and merely wait to be reaped. */
function isDeadState(state: string): boolean {
  return state === 'Z' || state === 'X';
}

/** Numeric entries of `/proc` (empty where there is no procfs). */
function listPids(): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  return entries.filter((entry) => /^\d+$/.test(entry)).map(Number);
}

/**
 * Whether a process with this pid exists and has not exited.
 *
 * Uses `process.kill(pid, 0)`: ESRCH means dead, EPERM means alive (it exists but is not ours).
 * Where `/proc` is available, a zombie (exited, not yet reaped) also counts as dead.
 *
 * @throws RangeError if `pid` is not a positive integer (0 and negatives would mean process groups).
 */
export function isProcessAlive(pid: number): boolean {
  // kill(0 or negative) would address a whole process group.
  if (!Number.isInteger(pid) || pid <= 0) throw new RangeError(`Not a process id: ${pid}`);
  try {
    process.kill(pid, 0);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ESRCH') return false;
    if (code !== 'EPERM') throw error;
  }
  const stat = readStat(pid);
  return stat === undefined || !isDeadState(stat.state);
}

/**
 * Pids of all live descendants of `pid` (children, grandchildren, ...), found by walking the parent links
 * in `/proc/<pid>/stat`. Linux only; returns `[]` where there is no `/proc`. Zombies are left out.
 * Note that a descendant whose parent already died has been re-parented and is no longer found.
 */
export function listDescendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const candidate of listPids()) {
    const stat = readStat(candidate);
    if (!stat || isDeadState(stat.state)) continue;
    const siblings = children.get(stat.ppid);
    if (siblings) siblings.push(candidate);
    else children.set(stat.ppid, [candidate]);
  }
  const descendants: number[] = [];
  const queue = [pid];
  for (let parent = queue.shift(); parent !== undefined; parent = queue.shift()) {
    for (const child of children.get(parent) ?? []) {
      if (child === pid || descendants.includes(child)) continue;
      descendants.push(child);
      queue.push(child);
    }
  }
  return descendants;
}

/**
 * Pids of processes whose command line (`/proc/<pid>/cmdline`) or initial environment
 * (`/proc/<pid>/environ`) contains `marker`, e.g. a unique value put in a backend's env.
 * Unreadable processes are skipped, and so is the calling process itself. Linux only.
 */
export function findProcessesByMarker(marker: string): number[] {
  const found: number[] = [];
  for (const pid of listPids()) {
    if (pid === process.pid) continue;
    for (const file of ['cmdline', 'environ']) {
      let content: Buffer;
      try {
        content = readFileSync(`/proc/${pid}/${file}`);
      } catch {
        continue;
      }
      if (content.includes(marker)) {
        found.push(pid);
        break;
      }
    }
  }
  return found;
}

/** `pid (command line)` for error messages. */
function describe(pid: number): string {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
    return cmdline ? `${pid} (${cmdline.length > 120 ? `${cmdline.slice(0, 120)}...` : cmdline})` : `${pid}`;
  } catch {
    return `${pid}`;
  }
}

/**
 * Polls (every 20 ms) until none of `pids` is alive (see {@link isProcessAlive}).
 *
 * @param pids Processes expected to exit.
 * @param timeoutMs Deadline in milliseconds (default 5000).
 * @throws Error listing the survivors (pid and command line) when some are still alive at the deadline.
 */
export async function waitForProcessesGone(pids: number[], timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const survivors = pids.filter((pid) => isProcessAlive(pid));
    if (survivors.length === 0) return;
    const remaining = deadline - Date.now();
    if (remaining <= 0) {
      throw new Error(
        `Processes still alive after ${timeoutMs} ms: ${survivors.map((pid) => describe(pid)).join(', ')}`,
      );
    }
    await delay(Math.min(20, remaining));
  }
}
