/** Finds system programs (redis-server, nginx, haproxy, kubectl) on PATH or in the sbin folders a user's PATH lacks. */
import { accessSync, constants } from 'node:fs';
import path from 'node:path';

const SBIN_FOLDERS = ['/usr/local/sbin', '/usr/sbin', '/sbin'];

/** The absolute path of program `name`, or undefined when it is not installed. */
export function findProgram(name: string): string | undefined {
  const folders = [...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean), ...SBIN_FOLDERS];
  for (const folder of folders) {
    const candidate = path.join(folder, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not in this folder: look in the next.
    }
  }
  return undefined;
}
