/**
 * Writes the gateway config made by the import, after checking it the way the gateway will load it, and never over
 * an existing file unless told to.
 */
import { access, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

import type { ServerConfig } from '../../backends/server-config.js';
import { parseConfig } from '../../config/load-config.js';
import { GatewayError } from '../../errors/gateway-error.js';

/**
 * Fails when `file` exists and `force` is not set: checked before anything is read, so that the user learns it
 * first.
 *
 * @throws GatewayError saying so and what to do.
 */
export async function assertWritable(file: string, force: boolean): Promise<void> {
  if (force) return;
  const exists = await access(file).then(
    () => true,
    () => false,
  );
  if (exists) throw existsError(file);
}

/**
 * Validates `{ servers }` with the gateway's own config parser and writes it to `file` (folders created as
 * needed). The file is readable by its owner only: it holds the servers' environment, secrets included.
 *
 * @throws GatewayError when the config does not validate, when `file` exists and `force` is not set, or when it
 *   cannot be written.
 */
export async function writeGatewayConfig(
  file: string,
  servers: Readonly<Record<string, ServerConfig>>,
  force: boolean,
): Promise<void> {
  const config = { servers };
  try {
    parseConfig(config, file);
  } catch (error) {
    if (error instanceof GatewayError) {
      throw new GatewayError(
        'invalid_config',
        `the config made for ${file} is not one the gateway accepts: ${error.message}`,
        {
          cause: error,
        },
      );
    }
    throw error;
  }
  const text = `${JSON.stringify(config, null, 2)}\n`;
  try {
    await mkdir(path.dirname(file), { recursive: true });
    // "wx" fails if the file appeared since assertWritable looked.
    await writeFile(file, text, { flag: force ? 'w' : 'wx', mode: 0o600 });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw existsError(file);
    throw new GatewayError(
      'invalid_config',
      `${file}: cannot write the gateway config (${code ?? String(error)})`,
      {
        cause: error,
      },
    );
  }
}

function existsError(file: string): GatewayError {
  return new GatewayError(
    'invalid_config',
    `${file} already exists; pass --force to overwrite it, or --out to write the config elsewhere`,
  );
}
