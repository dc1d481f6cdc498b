/**
 * Runs the built bin to completion, as a person runs it in a shell: `node dist/cli.js ...args`, stdin closed (or
 * given `input`), and its exit code and output collected.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';

import { CLI_PATH, PROJECT_ROOT } from './gateway-process.js';

/** How a run ended. */
export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Options of {@link runCli}. */
export interface RunCliOptions {
  /** Default the project's root. */
  readonly cwd?: string;
  /**
   * The whole environment when `replaceEnv`, else added to the test's (`undefined` removes a variable). The HTTP
   * token variable is removed unless given.
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly replaceEnv?: boolean;
  /** Written to stdin before it is closed. */
  readonly input?: string;
}

/** Runs `node dist/cli.js ...args` to its end. */
export async function runCli(args: readonly string[], options: RunCliOptions = {}): Promise<CliRun> {
  const env = options.replaceEnv
    ? { ...options.env }
    : { ...process.env, MCP_GATEWAY_AUTH_TOKEN: undefined, ...options.env };
  const child = spawn(process.execPath, [CLI_PATH, ...args], {
    cwd: options.cwd ?? PROJECT_ROOT,
    env,
    stdio: 'pipe',
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  child.stdin.end(options.input ?? '');
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}
