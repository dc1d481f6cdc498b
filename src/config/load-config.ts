import { readFile } from 'node:fs/promises';
import path from 'node:path';

import { GatewayError } from '../errors/gateway-error.js';
import { checkConfig } from './check-config.js';
import { formatProblem } from './config-problem.js';
import type { Environment } from './expand-variables.js';
import { formatIssues } from './format-issues.js';
import { parseJsonText } from './json-syntax.js';
import { GatewayConfigSchema, type GatewayConfig } from './schema.js';

/** A validated config plus the folder its relative paths resolve against. */
export interface LoadedConfig extends GatewayConfig {
  /** Absolute path of the file the config came from. */
  readonly file: string;
  /** The file's folder: the default working directory of its backends. */
  readonly baseDir: string;
  /**
   * What is wrong but does not stop the gateway (unknown keys, `envPassthrough` variables that are not set), one
   * line each: `servers.a.enviroment: unknown key, ignored; did you mean "env"?`. For the caller to log.
   */
  readonly warnings: readonly string[];
}

/** Options of {@link loadConfig}. */
export interface LoadConfigOptions {
  /** Where `${VAR}` references are read from; default the gateway's own environment. */
  readonly env?: Environment;
}

/**
 * Reads, parses, expands (`${VAR}`, see expand-variables.ts) and validates a config file. Every failure is a
 * `GatewayError('invalid_config')` whose message names the file, the JSON path (or the line and column of a syntax
 * error) and what was expected; every problem of the file is listed, not only the first.
 */
export async function loadConfig(file: string, options: LoadConfigOptions = {}): Promise<LoadedConfig> {
  const absolute = path.resolve(file);
  const json = parseJsonText(await readConfigText(absolute), absolute);
  const checked = checkConfig(json, { env: options.env ?? process.env });
  if (checked.config === undefined) {
    const errors = checked.problems.filter((problem) => problem.severity === 'error');
    throw new GatewayError(
      'invalid_config',
      `${absolute}: invalid config:\n${errors.map((problem) => `  at ${formatProblem(problem)}`).join('\n')}`,
    );
  }
  const warnings = checked.problems.filter((problem) => problem.severity === 'warning').map(formatProblem);
  return { ...checked.config, file: absolute, baseDir: path.dirname(absolute), warnings };
}

/**
 * Validates an already parsed config object against the schema only (no variables are expanded: that belongs to
 * files); `source` names it in error messages.
 */
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

/**
 * The text of a config file; a file that cannot be read is a `GatewayError('invalid_config')` naming it as `label`
 * (default its path).
 */
export async function readConfigText(file: string, label = file): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new GatewayError(
      'invalid_config',
      `${label}: cannot read the config file (${describeIoError(error)})`,
      { cause: error },
    );
  }
}

function describeIoError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' ? 'no such file' : (code ?? String(error));
}
