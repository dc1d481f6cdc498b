/**
 * Where a page's examples run: a temporary copy of what they use from the project (gateway-config.json, the example
 * servers, a copy of examples/sandbox they may write to), a home folder of its own, and `mcp-gateway` on PATH (a link
 * to the built dist/cli.js, as npm installs it). Nothing runs in the checkout and nothing is written there.
 *
 * The docs show the project folder as /path/to/mcp-gateway, the home folder as /home/me and Node as
 * /usr/local/bin/node: produced output is normalised to those before it is compared (see expect-output.ts).
 */
import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { readdirSync, readlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { replacing, type Normaliser } from './expect-output.js';
import { PROJECT_ROOT } from '../helpers/gateway-process.js';
import { waitFor } from '../helpers/wait-for.js';

/** What the docs show in place of the machine's own paths. */
export const SHOWN_PROJECT = '/path/to/mcp-gateway';
export const SHOWN_HOME = '/home/me';
export const SHOWN_NODE = '/usr/local/bin/node';

/** What a command printed (stdout and stderr, interleaved as written) and its exit code. */
export interface CommandOutcome {
  readonly output: string;
  readonly exitCode: number | null;
}

/** One page's temporary project folder, home folder and PATH. */
export class DocWorkspace {
  private constructor(
    /** The temporary root holding everything below. */
    readonly root: string,
    /** The copy of the project the examples run in (shown as /path/to/mcp-gateway). */
    readonly project: string,
    /** The examples' home folder (shown as /home/me). */
    readonly home: string,
    /** Folder on PATH holding `mcp-gateway`. */
    readonly bin: string,
  ) {}

  /** Creates the folders and copies. */
  static async create(): Promise<DocWorkspace> {
    const root = await realpath(await mkdtemp(path.join(os.tmpdir(), 'mcp-gateway-docs-')));
    const workspace = new DocWorkspace(
      root,
      path.join(root, 'project'),
      path.join(root, 'home'),
      path.join(root, 'bin'),
    );
    const { project, home, bin } = workspace;
    await Promise.all([mkdir(path.join(project, 'examples'), { recursive: true }), mkdir(home), mkdir(bin)]);
    await Promise.all([
      cp(path.join(PROJECT_ROOT, 'gateway-config.json'), path.join(project, 'gateway-config.json')),
      cp(path.join(PROJECT_ROOT, 'examples/sandbox'), path.join(project, 'examples/sandbox'), {
        recursive: true,
      }),
      symlink(path.join(PROJECT_ROOT, 'examples/dist'), path.join(project, 'examples/dist')),
      symlink(path.join(PROJECT_ROOT, 'dist/cli.js'), path.join(bin, 'mcp-gateway')),
    ]);
    return workspace;
  }

  /** The environment of every command: a short PATH with `mcp-gateway` first, the page's home, nothing else. */
  env(extra: Readonly<Record<string, string>> = {}): Record<string, string> {
    const searchPath = [this.bin, path.dirname(process.execPath), ...(process.env.PATH ?? '').split(':')];
    return {
      PATH: [...new Set(searchPath)].join(':'),
      HOME: this.home,
      TERM: 'dumb',
      LANG: 'C.UTF-8',
      ...extra,
    };
  }

  /** A path of an example: `~/x` in the home folder, anything else in the project. */
  resolve(file: string): string {
    return file.startsWith('~/') ? path.join(this.home, file.slice(2)) : path.resolve(this.project, file);
  }

  /** Writes a file of an example; with `merge`, its JSON is merged into the file's (objects key by key). */
  async writeFile(file: string, text: string, merge: boolean): Promise<string> {
    const target = this.resolve(file);
    await mkdir(path.dirname(target), { recursive: true });
    if (!merge) {
      await writeFile(target, text.endsWith('\n') ? text : `${text}\n`);
      return target;
    }
    const before = JSON.parse(await readFile(target, 'utf8')) as unknown;
    await writeFile(target, `${JSON.stringify(mergeJson(before, JSON.parse(text)), null, 2)}\n`);
    return target;
  }

  /** Runs a shell example with bash in the project folder; stderr goes where stdout goes. */
  run(script: string, timeoutMs = 30_000): Promise<CommandOutcome> {
    return new Promise((resolve, reject) => {
      const child = spawn('bash', ['-c', `exec 2>&1\n${script}`], {
        cwd: this.project,
        env: this.env(),
        stdio: ['ignore', 'pipe', 'inherit'],
        // A group of its own, so that a command that hangs is killed with everything it started.
        detached: true,
      });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
      const timer = setTimeout(() => {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
        reject(new Error(`the example did not finish within ${timeoutMs} ms:\n${script}\n${output}`));
      }, timeoutMs);
      child.once('error', reject);
      child.once('close', (exitCode) => {
        clearTimeout(timer);
        resolve({ output, exitCode });
      });
    });
  }

  /** Replaces this machine's paths by the ones the docs show. */
  normaliser(extra: readonly (readonly [string, string])[] = []): Normaliser {
    return replacing([
      [this.home, SHOWN_HOME],
      [this.project, SHOWN_PROJECT],
      [PROJECT_ROOT.replace(/\/$/, ''), SHOWN_PROJECT],
      [process.execPath, SHOWN_NODE],
      ...extra,
    ]);
  }

  /**
   * Waits until no process runs in the workspace (project or home folder) any more (Linux; elsewhere there is
   * nothing to read). Those still there after `timeoutMs` are killed, and the wait fails: an example left something
   * behind.
   */
  async waitForNoProcesses(timeoutMs = 10_000): Promise<void> {
    try {
      await waitFor(() => processesIn(this.root).length === 0, { timeoutMs });
    } catch {
      const left = processesIn(this.root);
      for (const pid of left) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Gone meanwhile.
        }
      }
      throw new Error(`processes still running in ${this.root} were killed: ${left.join(', ')}`);
    }
  }

  /** Removes everything. */
  async remove(): Promise<void> {
    await rm(this.root, { recursive: true, force: true, maxRetries: 3 });
  }
}

/** Pids of the processes whose working folder is `folder` or inside it. */
function processesIn(folder: string): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  return entries
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        const cwd = readlinkSync(`/proc/${pid}/cwd`);
        return cwd === folder || cwd.startsWith(`${folder}/`);
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** `patch` merged into `base`: objects key by key, anything else replaced. */
export function mergeJson(base: unknown, patch: unknown): unknown {
  if (!isObject(base) || !isObject(patch)) return patch;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(patch)) merged[key] = mergeJson(base[key], value);
  return merged;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
