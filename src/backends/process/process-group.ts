/**
 * Signals and waits for process groups: each backend is the leader of its own group, so one signal reaches the
 * backend and everything it started.
 */
import { readdirSync, readFileSync } from 'node:fs';

const liveGroups = new Set<number>();
let exitHookInstalled = false;

/**
 * Remembers a group so that it is SIGKILLed if the gateway exits without closing it (an uncaught error, a
 * `process.exit` elsewhere). A SIGKILLed gateway runs no hook: its backends then see their stdin close.
 */
export function trackProcessGroup(pgid: number): void {
  liveGroups.add(pgid);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const group of liveGroups) killProcessGroup(group, 'SIGKILL');
    });
  }
}

/** Forgets a group once it has been closed. */
export function untrackProcessGroup(pgid: number): void {
  liveGroups.delete(pgid);
}

/** Sends `signal` to every process in the group; a group that is already gone is not an error. */
export function killProcessGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch (error) {
    // ESRCH: nothing left in the group. EPERM would mean the id was reused by another user's group: leave it.
    if (
      (error as NodeJS.ErrnoException).code !== 'ESRCH' &&
      (error as NodeJS.ErrnoException).code !== 'EPERM'
    ) {
      throw error;
    }
  }
}

/** True while at least one process of the group is alive (zombies waiting to be reaped do not count). */
export function isProcessGroupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch {
    return false;
  }
  return process.platform === 'linux' ? hasLiveMember(pgid) : true;
}

/** Polls until the group is gone; resolves `true` then, or `false` after `timeoutMs`. */
export async function waitForGroupExit(pgid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!isProcessGroupAlive(pgid)) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Orphaned grandchildren are re-parented to PID 1, which in a container may never reap them: a group can then
 * hold only zombies, which `kill(-pgid, 0)` still reports. /proc tells them apart.
 */
function hasLiveMember(pgid: number): boolean {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return true;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited between readdir and read
    }
    // Fields after the command name (which may contain spaces and parentheses): state ppid pgrp ...
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) === pgid && fields[0] !== 'Z') return true;
  }
  return false;
}
