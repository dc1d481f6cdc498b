/**
 * The gateway a page's tool calls go to: started from a command line the page shows (`serve`) or from a hidden
 * directive (`gateway`), over stdio with the real SDK client, or over Streamable HTTP on a free port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';

import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import type { CallToolResult } from '@modelcontextprotocol/client';
import { splitArgs } from '../../src/shared/split-args.js';
import { CLI_PATH } from '../helpers/gateway-process.js';
import { waitFor } from '../helpers/wait-for.js';
import type { DocWorkspace } from './doc-workspace.js';

/** A command line as a page writes it: variable assignments, then the command and its arguments. */
export interface CommandLine {
  readonly env: Readonly<Record<string, string>>;
  /** The executable to spawn (`mcp-gateway` and `node` made absolute). */
  readonly command: string;
  readonly args: readonly string[];
}

/** Splits a one-command shell line (`\` continuations allowed) the way the examples write them. */
export function parseCommandLine(text: string): CommandLine {
  const words = splitArgs(text.replace(/\\\n/g, ' ').trim());
  const env: Record<string, string> = {};
  while (words.length > 0 && /^[A-Za-z_]\w*=/.test(words[0] ?? '')) {
    const [name = '', ...value] = (words.shift() ?? '').split('=');
    env[name] = value.join('=');
  }
  const [command = '', ...args] = words;
  if (command === 'mcp-gateway') return { env, command: process.execPath, args: [CLI_PATH, ...args] };
  if (command === 'node') return { env, command: process.execPath, args };
  return { env, command, args };
}

/** A running gateway of a page. */
export class DocGateway {
  private client: Client | undefined;
  private log = '';

  private constructor(
    private readonly workspace: DocWorkspace,
    /** The config file it serves and watches, if any. */
    readonly watchedFile: string | undefined,
    private readonly stdio: StdioClientTransport | undefined,
    private readonly http: { child: ChildProcess; url: URL; port: number; shownPort: number } | undefined,
  ) {}

  /**
   * Starts a gateway from a shell command line, run by bash (which execs it) as the page shows it (the HTTP port replaced by a
   * free one); resolves once it serves (HTTP: once `/readyz` says ready).
   */
  static async start(workspace: DocWorkspace, commandLine: string): Promise<DocGateway> {
    const words = parseCommandLine(commandLine).args;
    const option = (name: string): string | undefined => {
      const index = words.indexOf(name);
      return index === -1 ? undefined : words[index + 1];
    };
    const config = option('--auto-register');
    const watched =
      config !== undefined && !words.includes('--no-watch') ? workspace.resolve(config) : undefined;
    const env = workspace.env();
    if (option('--transport') !== 'streamable-http') {
      const transport = new StdioClientTransport({
        command: 'bash',
        args: ['-c', commandLine],
        cwd: workspace.project,
        env,
        stderr: 'pipe',
      });
      const gateway = new DocGateway(workspace, watched, transport, undefined);
      transport.stderr?.on('data', (chunk: Buffer) => (gateway.log += chunk.toString('utf8')));
      const client = new Client({ name: 'doc-test', version: '1.0.0' });
      await client.connect(transport);
      gateway.client = client;
      return gateway;
    }
    const shownPort = Number(option('--port') ?? 8003);
    const freePort =
      option('--port') === undefined
        ? `${commandLine} --port 0`
        : commandLine.replace(/--port\s+\d+/, '--port 0');
    const child = spawn('bash', ['-c', freePort], {
      cwd: workspace.project,
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let log = '';
    const url = await new Promise<URL>((resolve, reject) => {
      child.stderr.on('data', (chunk: Buffer) => {
        log += chunk.toString('utf8');
        const match = /serving MCP over Streamable HTTP at (\S+)/.exec(log);
        if (match?.[1]) resolve(new URL(match[1]));
      });
      child.once('exit', (code) => reject(new Error(`the gateway exited with code ${code}:\n${log}`)));
    });
    const gateway = new DocGateway(workspace, watched, undefined, {
      child,
      url,
      port: Number(url.port),
      shownPort,
    });
    gateway.log = log;
    child.stderr.on('data', (chunk: Buffer) => (gateway.log += chunk.toString('utf8')));
    await waitFor(async () => (await fetch(new URL('/readyz', url))).status === 200, {
      timeoutMs: 30_000,
      description: 'the HTTP gateway to be ready',
    });
    return gateway;
  }

  /** What the gateway logged so far. */
  stderr(): string {
    return this.log;
  }

  /** The port the page shows and the one really used, when serving HTTP. */
  ports(): { shown: number; actual: number } | undefined {
    return this.http && { shown: this.http.shownPort, actual: this.http.port };
  }

  /** Calls a tool, connecting a client first over HTTP. */
  async call(name: string, args: Record<string, unknown>): Promise<CallToolResult> {
    if (!this.client && this.http) {
      const client = new Client({ name: 'doc-test', version: '1.0.0' });
      await client.connect(new StreamableHTTPClientTransport(this.http.url));
      this.client = client;
    }
    if (!this.client) throw new Error('no client');
    return await this.client.callTool({ name, arguments: args });
  }

  /** The names `tools/list` gives. */
  async toolNames(): Promise<string[]> {
    const { tools } = (await this.client?.listTools()) ?? { tools: [] };
    return tools.map((tool) => tool.name);
  }

  /**
   * Runs `write` (an edit of the file this gateway watches) and waits until the gateway applied or refused it, as
   * `list_servers` reports.
   */
  async afterEdit(file: string, write: () => Promise<void>): Promise<void> {
    if (this.watchedFile === undefined || path.resolve(file) !== this.watchedFile) {
      await write();
      return;
    }
    const before = await this.configStatus();
    await write();
    await waitFor(async () => (await this.configStatus()) !== before, {
      timeoutMs: 10_000,
      description: `the gateway to reload ${file}`,
    });
  }

  private async configStatus(): Promise<string> {
    const result = await this.call('list_servers', {});
    const { config } = (result.structuredContent ?? {}) as { config?: Record<string, unknown> };
    return JSON.stringify([config?.loadedAt, config?.lastErrorAt]);
  }

  /** Stops the gateway (closing stdin, or SIGTERM over HTTP) and waits for it to exit. */
  async stop(): Promise<void> {
    await this.client?.close();
    if (this.http) {
      const { child } = this.http;
      if (child.exitCode === null && child.signalCode === null) {
        const exited = once(child, 'exit');
        child.kill('SIGTERM');
        await exited;
      }
    }
    await this.workspace.waitForNoProcesses();
  }
}
