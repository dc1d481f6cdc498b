import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Creates a fresh, empty directory under the OS temp directory.
 *
 * @param prefix Start of the directory name, e.g. `'gateway-test-'`; random characters are appended.
 * @returns The absolute path of the new directory.
 */
export async function makeTempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/**
 * Removes a directory made by {@link makeTempDir} with everything in it. A missing directory is fine.
 *
 * @param dir The directory to remove.
 */
export async function removeTempDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true, maxRetries: 3 });
}
