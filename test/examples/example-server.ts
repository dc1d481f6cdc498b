import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CallToolResultSchema } from '@modelcontextprotocol/core';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { Client } from '@modelcontextprotocol/client';

/** Absolute path of a compiled example server, e.g. `serverPath('weather')`. */
export function serverPath(name: 'weather' | 'sqlite' | 'filesystem'): string {
  const file = fileURLToPath(new URL(`../../examples/dist/${name}.js`, import.meta.url));
  // A clear message beats a "Connection closed" from the client when the build step was skipped.
  if (!existsSync(file))
    throw new Error(`${file} is missing: build with "npx tsc -p examples/tsconfig.json"`);
  return file;
}

/** A tool result reduced to what the tests assert on. */
export interface ToolOutcome {
  isError: boolean;
  /** All text content blocks, joined by newlines. */
  text: string;
  structured: Record<string, unknown> | undefined;
}

/** Starts compiled example servers as real child processes and closes every one of them in {@link closeAll}. */
export class ExampleServers {
  private readonly clients: Client[] = [];

  /** Spawns `node examples/dist/<name>.js ...args` and connects an MCP client over stdio. */
  async start(
    name: 'weather' | 'sqlite' | 'filesystem',
    args: string[] = [],
    options: { cwd?: string } = {},
  ): Promise<Client> {
    const client = new Client({ name: `test-${name}`, version: '0.0.0' });
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [serverPath(name), ...args],
      cwd: options.cwd,
      // The servers' "ready"/"exiting" lines on stderr would only clutter the test output.
      stderr: 'ignore',
    });
    this.clients.push(client);
    await client.connect(transport);
    return client;
  }

  /** Closes all clients; each closes its child's stdin, and the servers exit on their own. */
  async closeAll(): Promise<void> {
    const clients = this.clients.splice(0);
    await Promise.all(clients.map((client) => client.close()));
  }
}

/** Calls a tool and flattens the result. */
export async function callTool(
  client: Client,
  name: string,
  args: Record<string, unknown> = {},
): Promise<ToolOutcome> {
  const result = CallToolResultSchema.parse(await client.callTool({ name, arguments: args }));
  const text = result.content
    .map((block) => (block.type === 'text' ? block.text : ''))
    .filter(Boolean)
    .join('\n');
  return {
    isError: result.isError === true,
    text,
    structured: result.structuredContent as Record<string, unknown> | undefined,
  };
}
