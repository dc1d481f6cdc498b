/**
 * Runs the examples of one page in order, in the page's own workspace: what one example leaves (a file, a running
 * gateway) is there for the next, as for a reader who follows the page.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { Client } from '@modelcontextprotocol/client';
import type { CallToolResult } from '@modelcontextprotocol/client';
import { loadConfig } from '../../src/config/load-config.js';
import { CLI_PATH } from '../helpers/gateway-process.js';
import { GATEWAY_TOOL_NAMES } from '../helpers/gateway-tool-names.js';
import { waitFor } from '../helpers/wait-for.js';
import { DocGateway, parseCommandLine } from './doc-gateway.js';
import { DocWorkspace } from './doc-workspace.js';
import { matchLine, mismatchJson, mismatchText, type Normaliser } from './expect-output.js';
import type { DocExample } from './markdown-examples.js';

/** An example and the expectations shown after it. */
export interface ExampleStep {
  readonly example: DocExample;
  readonly expectations: readonly DocExample[];
}

/** One page's state while its examples run. */
export class PageRunner {
  private gateway: DocGateway | undefined;

  private constructor(private readonly workspace: DocWorkspace) {}

  static async create(): Promise<PageRunner> {
    return new PageRunner(await DocWorkspace.create());
  }

  /** Stops the page's gateway, checks that nothing it started still runs, and removes the workspace. */
  async close(): Promise<void> {
    try {
      await this.gateway?.stop();
      await this.workspace.waitForNoProcesses();
    } finally {
      await this.workspace.remove();
    }
  }

  /** Runs one example and compares what it produced with what the page shows. */
  async run({ example, expectations }: ExampleStep): Promise<void> {
    switch (example.kind) {
      case 'config':
        return this.checkConfig(example.body);
      case 'file': {
        const [file = '', mode] = example.args.split(/\s+/);
        const target = this.workspace.resolve(file);
        const write = async (): Promise<void> => {
          await this.workspace.writeFile(file, example.body, mode === 'merge');
        };
        return this.gateway ? this.gateway.afterEdit(target, write) : write();
      }
      case 'sh':
        return this.runShell(example, expectations);
      case 'serve':
        return this.startGateway(example.body);
      case 'gateway':
        return this.startGateway(`mcp-gateway ${example.args}`);
      case 'call':
        return this.call(example, expectations);
      case 'client-entry':
        return this.checkClientEntry(example.body);
      case 'log':
        return this.checkLog(example.body);
      case 'flag-table':
        return this.checkFlagTable(example.body);
      default:
        throw new Error(`line ${example.line}: "${example.kind}" is not an example that runs`);
    }
  }

  /** This machine's paths, and the HTTP port really used, replaced by what the page shows. */
  private normaliser(): Normaliser {
    const paths = this.workspace.normaliser();
    const ports = this.gateway?.ports();
    if (!ports) return paths;
    const port = new RegExp(`\\b${ports.actual}\\b`, 'g');
    return (text) => paths(text).replace(port, String(ports.shown));
  }

  /** A config example loads with the gateway's own loader, every `${VAR}` it names set, without a warning. */
  private async checkConfig(body: string): Promise<void> {
    const folder = await mkdtemp(path.join(this.workspace.root, 'config-'));
    const file = path.join(folder, 'config.json');
    await writeFile(file, body);
    const names = [...body.matchAll(/\$\{([A-Za-z_]\w*)/g)].map((match) => match[1] ?? '');
    const env = Object.fromEntries(names.map((name) => [name, `value-of-${name}`]));
    const config = await loadConfig(file, { env: { ...this.workspace.env(), ...env } });
    if (config.warnings.length > 0) throw new Error(`warnings:\n${config.warnings.join('\n')}`);
  }

  private async runShell(example: DocExample, expectations: readonly DocExample[]): Promise<void> {
    const ports = this.gateway?.ports();
    const script = ports
      ? example.body.replace(new RegExp(`\\b${ports.shown}\\b`, 'g'), String(ports.actual))
      : example.body;
    const outcome = await this.workspace.run(script);
    const output = this.normaliser()(outcome.output);
    const exit = /exit=(\d+)/.exec(example.args)?.[1] ?? '0';
    if (outcome.exitCode !== Number(exit)) {
      throw new Error(`exit code ${outcome.exitCode}, the page says ${exit}; output:\n${output}`);
    }
    for (const expectation of expectations) {
      if (expectation.kind !== 'output') throw misplaced(expectation, 'sh');
      const problem = mismatchText(expectation.body, output);
      if (problem) throw new Error(problem);
    }
  }

  private async startGateway(commandLine: string): Promise<void> {
    await this.gateway?.stop();
    this.gateway = undefined;
    this.gateway = await DocGateway.start(this.workspace, commandLine);
  }

  private async call(example: DocExample, expectations: readonly DocExample[]): Promise<void> {
    if (!this.gateway) throw new Error(`line ${example.line}: no gateway was started before this call`);
    const result = await this.gateway.call(example.args, JSON.parse(example.body) as Record<string, unknown>);
    const normalise = this.normaliser();
    const text = normalise(textOf(result));
    if (expectations.length === 0 && result.isError === true) {
      throw new Error(`the call failed, and the page shows no error:\n${text}`);
    }
    for (const expectation of expectations) {
      let problem: string | undefined;
      if (expectation.kind === 'result' || expectation.kind === 'error-result') {
        const isError = expectation.kind === 'error-result';
        if ((result.isError === true) !== isError) {
          problem = `isError is ${result.isError === true}, the page says ${isError}:\n${text}`;
        } else {
          problem = mismatchText(expectation.body, text);
        }
      } else if (expectation.kind === 'structured') {
        const structured = JSON.parse(normalise(JSON.stringify(result.structuredContent ?? null))) as unknown;
        problem = mismatchJson(JSON.parse(expectation.body), structured);
        if (problem) problem += `\nstructuredContent: ${JSON.stringify(structured, null, 2)}`;
      } else {
        throw misplaced(expectation, 'call');
      }
      if (problem) throw new Error(`line ${expectation.line}: ${problem}`);
    }
  }

  /**
   * A client's entry for the gateway starts it: `/ABS/PATH` stands for the project folder. The gateway must list
   * its seven tools, and every backend of the config it serves must become ready.
   */
  private async checkClientEntry(body: string): Promise<void> {
    const json = JSON.parse(body) as Record<string, Record<string, Record<string, unknown>> | undefined>;
    const entry = (json.mcpServers ?? json.servers)?.gateway;
    if (!entry) throw new Error('no "gateway" entry under "mcpServers" or "servers"');
    const fill = (text: string): string =>
      text.replace('/ABS/PATH/dist/cli.js', CLI_PATH).replaceAll('/ABS/PATH', this.workspace.project);
    const line = parseCommandLine(
      [String(entry.command), ...(entry.args as string[])]
        .map((word) => JSON.stringify(fill(word)))
        .join(' '),
    );
    const transport = new StdioClientTransport({
      command: line.command,
      args: [...line.args],
      cwd: this.workspace.home,
      env: this.workspace.env((entry.env as Record<string, string> | undefined) ?? {}),
      stderr: 'pipe',
    });
    const client = new Client({ name: 'doc-test-client', version: '1.0.0' });
    await client.connect(transport);
    try {
      const { tools } = await client.listTools();
      // A client entry that works lists every gateway tool.
      const missing = GATEWAY_TOOL_NAMES.filter((name) => !tools.some((tool) => tool.name === name));
      if (missing.length > 0) throw new Error(`the gateway does not list ${missing.join(', ')}`);
      await waitFor(
        async () => {
          const result = await client.callTool({ name: 'list_servers', arguments: {} });
          const { servers } = result.structuredContent as { servers: { state: string }[] };
          return servers.length > 0 && servers.every((server) => server.state === 'ready');
        },
        { timeoutMs: 20_000, description: 'every backend of the entry to be ready' },
      );
    } finally {
      await client.close();
    }
  }

  /** Every line shown is in the running gateway's log (lines of concurrent backends interleave in any order). */
  private async checkLog(body: string): Promise<void> {
    const gateway = this.gateway;
    if (!gateway) throw new Error('no gateway runs: there is no log to read');
    const wanted = body.split('\n').filter((line) => line.trim() !== '');
    const missing = (): string[] => {
      const lines = this.normaliser()(gateway.stderr()).split('\n');
      return wanted.filter((pattern) => !lines.some((line) => matchLine(pattern, line)));
    };
    await waitFor(() => missing().length === 0, { timeoutMs: 10_000 }).catch(() => {
      throw new Error(`not in the log:\n${missing().join('\n')}\n\nthe log:\n${gateway.stderr()}`);
    });
  }

  /** The flags in the table's first column are exactly those of `mcp-gateway --help`. */
  private async checkFlagTable(table: string): Promise<void> {
    const help = await this.workspace.run('mcp-gateway --help');
    const options = help.output.split('Commands:')[0] ?? '';
    const fromHelp = [...options.matchAll(/^ {2}(?:-\w, )?(--[\w-]+)/gm)].map((match) => match[1]);
    const fromTable = table
      .split('\n')
      .slice(2)
      .flatMap((row) => [...(row.split('|')[1] ?? '').matchAll(/`(--[\w-]+)/g)].map((match) => match[1]));
    const sorted = (flags: (string | undefined)[]): string[] => [...new Set(flags)].sort() as string[];
    const problem = mismatchJson(sorted(fromHelp), sorted(fromTable));
    if (problem) throw new Error(`the table's flags differ from --help (left: help): ${problem}`);
  }
}

function misplaced(expectation: DocExample, after: string): Error {
  return new Error(
    `line ${expectation.line}: a "${expectation.kind}" block cannot follow a "${after}" example`,
  );
}

function textOf(result: CallToolResult): string {
  return result.content
    .filter((item) => item.type === 'text')
    .map((item) => item.text)
    .join('\n');
}
