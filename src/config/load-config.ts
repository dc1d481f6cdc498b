import { readFile } from 'node:fs/promises';
import path from 'node:path';

import type { z } from 'zod';

import { GatewayError } from '../errors.js';
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

/** One line per zod issue: `  at servers.weather.command: expected string, received number`. */
export function formatIssues(issues: readonly z.core.$ZodIssue[]): string {
  return flattenIssues(issues, [])
    .map(({ path, message }) => `  at ${path.length > 0 ? path.map(String).join('.') : '(root)'}: ${message}`)
    .join('\n');
}

interface FlatIssue {
  readonly path: readonly PropertyKey[];
  readonly message: string;
}

/**
 * zod nests the useful detail: a bad record key is an `invalid_key` issue whose own issues say what a key must
 * be, and a value matching no branch of a union is an `invalid_union` holding each branch's issues. Report the
 * nested detail, for a union from the branches that got past a plain type mismatch (the ones the value was meant
 * for), so that `steps: [{server: "a"}]` reads `at steps.0.tool: ...`, not `at steps: Invalid input`.
 */
function flattenIssues(issues: readonly z.core.$ZodIssue[], prefix: readonly PropertyKey[]): FlatIssue[] {
  return issues.flatMap((issue): FlatIssue[] => {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'invalid_key' && issue.issues.length > 0) {
      return issue.issues.map((inner) => ({ path, message: `invalid key: ${inner.message}` }));
    }
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      const meant = issue.errors.filter((branch) => !isTypeMismatchOnly(branch));
      if (meant.length === 1 && meant[0]) return flattenIssues(meant[0], path);
    }
    return [{ path, message: issue.message }];
  });
}

function isTypeMismatchOnly(branch: readonly z.core.$ZodIssue[]): boolean {
  return branch.length === 1 && branch[0]?.code === 'invalid_type' && branch[0].path.length === 0;
}

function describeIoError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' ? 'no such file' : (code ?? String(error));
}
