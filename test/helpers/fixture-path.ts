import { fileURLToPath } from 'node:url';

/**
 * Absolute path of a fixture backend server under `test/fixtures/servers/`.
 *
 * @param name File name inside that folder, e.g. `'echo.mjs'` or `'wrapper.sh'`.
 * @returns The absolute file-system path (the file is not checked for existence).
 */
export function fixturePath(name: string): string {
  return fileURLToPath(new URL(`../fixtures/servers/${name}`, import.meta.url));
}
