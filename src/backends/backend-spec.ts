import path from 'node:path';

import { splitArgs } from '../config/split-args.js';
import type { ServerConfig } from '../config/schema.js';

/** Everything needed to start one backend, with paths resolved and arguments split. */
export interface BackendSpec {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  /** Variables set for this backend on top of the minimal inherited environment. Never logged. */
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  readonly description: string;
  /** Per-call timeout for this backend; the gateway's default when absent. */
  readonly timeoutMs: number | undefined;
}

/**
 * Variables a backend inherits from the gateway, the same short list as the SDK's default: enough to find
 * programs and a home folder, never the gateway's secrets.
 */
export const INHERITED_ENV_KEYS = ['PATH', 'HOME', 'USER', 'SHELL', 'TERM', 'LOGNAME'] as const;

/**
 * Builds a spec from a config entry. `baseDir` is the folder relative paths resolve against: a relative `cwd`, and
 * a `command` written as a relative path (`./bin/server`); the backend runs in `baseDir` when no `cwd` is given.
 */
export function toBackendSpec(name: string, config: ServerConfig, baseDir: string): BackendSpec {
  const cwd = config.cwd === undefined ? baseDir : path.resolve(baseDir, config.cwd);
  const command = isRelativePath(config.command) ? path.resolve(baseDir, config.command) : config.command;
  return {
    name,
    command,
    args: splitArgs(config.args),
    env: config.env ?? {},
    cwd,
    description: config.description ?? '',
    timeoutMs: config.timeoutMs,
  };
}

/** The environment a backend process receives: the inherited allowlist plus its own variables. */
export function buildChildEnv(
  own: Readonly<Record<string, string>>,
  parent: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of INHERITED_ENV_KEYS) {
    const value = parent[key];
    if (value !== undefined) env[key] = value;
  }
  return Object.assign(env, own);
}

/** The command line as shown to users: arguments quoted when they contain spaces. Environment values never. */
export function formatCommandLine(spec: Pick<BackendSpec, 'command' | 'args'>): string {
  return [spec.command, ...spec.args]
    .map((word) => (/[\s"'\\]/.test(word) ? JSON.stringify(word) : word))
    .join(' ');
}

function isRelativePath(command: string): boolean {
  return !path.isAbsolute(command) && (command.startsWith('./') || command.startsWith('../'));
}
