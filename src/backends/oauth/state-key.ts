/**
 * The key that encrypts what the gateway keeps secret in its state folder (a backend's OAuth tokens): from
 * `MCP_GATEWAY_STATE_KEY` (32 bytes, as 64 hex digits or base64), or else a key file in the state folder, created
 * on first use with permissions 0600 and refused when others may read it.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { GatewayError } from '../../errors/gateway-error.js';

/** The variable that holds the key. */
export const STATE_KEY_ENV = 'MCP_GATEWAY_STATE_KEY';
/** The key file's name in the state folder. */
export const STATE_KEY_FILE = 'state.key';

const KEY_BYTES = 32;

/** The 32-byte key: the variable's when it is set, else the key file's (created when missing). */
export async function loadStateKey(stateDir: string, env: NodeJS.ProcessEnv = process.env): Promise<Buffer> {
  const fromEnv = env[STATE_KEY_ENV];
  if (fromEnv !== undefined && fromEnv !== '') return decodeKey(fromEnv, STATE_KEY_ENV);
  const file = path.join(stateDir, STATE_KEY_FILE);
  try {
    const info = await stat(file);
    // Checked because the file alone decrypts every token beside it.
    if ((info.mode & 0o077) !== 0) {
      throw new GatewayError(
        'invalid_config',
        `the state key file ${file} may be read by other users (mode ${(info.mode & 0o777).toString(8)}); ` +
          `run chmod 600 on it, or set ${STATE_KEY_ENV}`,
      );
    }
    return decodeKey((await readFile(file, 'utf8')).trim(), file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const key = randomBytes(KEY_BYTES);
  await mkdir(stateDir, { recursive: true });
  // `wx`: two gateways starting at once must not each write a key and lose the other's tokens.
  await writeFile(file, `${key.toString('hex')}\n`, { mode: 0o600, flag: 'wx' }).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  });
  await chmod(file, 0o600);
  return decodeKey((await readFile(file, 'utf8')).trim(), file);
}

function decodeKey(text: string, source: string): Buffer {
  const key = /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
  if (key.length !== KEY_BYTES) {
    throw new GatewayError(
      'invalid_config',
      `the state key in ${source} is not 32 bytes (64 hex digits or base64); generate one with ` +
        '`openssl rand -hex 32`',
    );
  }
  return key;
}
