/**
 * Reading a secret the `oauth` section names: its value as the config gave it (expanded from `${VAR}` when the file
 * was loaded), or a file read each time the secret is used, so that a key or token the platform rotates is picked up
 * without a restart. Errors name the file, never what it holds.
 */
import { readFile } from 'node:fs/promises';

import type { SecretSource } from './extensions-config.js';

/**
 * The secret of `source`, without surrounding whitespace.
 *
 * @param what - What the secret is, in words, for the error (`the private key`).
 * @throws When the file cannot be read or is empty: the message names the file and says what to fix.
 */
export async function readSecret(source: SecretSource, what: string): Promise<string> {
  if ('value' in source) return source.value.trim();
  let text: string;
  try {
    text = await readFile(source.file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new Error(`cannot read ${what} from ${source.file} (${code}); check the path in the oauth section`);
  }
  const secret = text.trim();
  if (secret === '') throw new Error(`${source.file} is empty; it should hold ${what}`);
  return secret;
}
