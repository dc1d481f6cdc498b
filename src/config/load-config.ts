import { readFile } from 'node:fs/promises';
import path from 'node:path';

import { GatewayError } from '../errors/gateway-error.js';
import { formatIssues } from './format-issues.js';
import { GatewayConfigSchema, type GatewayConfig } from './schema.js';

/** A validated config plus the folder its relative paths resolve against. */
export interface LoadedConfig extends GatewayConfig {
  /** Absolute path of the file the config came from. */
  readonly file: string;
  /** The file's folder: the default working directory of its backends. */
  readonly baseDir: string;
}

/**
 * Reads, parses and validates a config file. Every failure is a `GatewayError('invalid_config')` whose message
 * names the file, the JSON path and what was expected.
 */
export async function loadConfig(file: string): Promise<LoadedConfig> {
  const absolute = path.resolve(file);
  let text: string;
  try {
    text = await readFile(absolute, 'utf8');
  } catch (error) {
    throw new GatewayError(
      'invalid_config',
      `${absolute}: cannot read the config file (${describeIoError(error)})`,
      {
        cause: error,
      },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new GatewayError('invalid_config', `${absolute}: not valid JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return { ...parseConfig(json, absolute), file: absolute, baseDir: path.dirname(absolute) };
}

/** Validates an already parsed config object; `source` names it in error messages. */
export function parseConfig(json: unknown, source: string): GatewayConfig {
  const result = GatewayConfigSchema.safeParse(json);
  if (!result.success) {
    throw new GatewayError(
      'invalid_config',
      `${source}: invalid config:\n${formatIssues(result.error.issues)}`,
    );
  }
  return result.data;
}

function describeIoError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' ? 'no such file' : (code ?? String(error));
}
